"""The npm `belvo` SDK (0.28.0), unchanged, runs its flows against a live simulator."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from belvo_check.sim import Simulator

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.skipif(not (NODE_DIR / "node_modules" / "belvo").is_dir(),
                    reason="tests/node/node_modules missing: run `npm ci --prefix tests/node`")
def test_node_sdk_flows():
    with Simulator(seed=11, secret_id="node-id", secret_password="node-pw") as sim:
        run = subprocess.run(["node", str(NODE_DIR / "sdk_flows.js"), sim.url, "node-id", "node-pw"],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        out = json.loads(run.stdout.split("@@RESULT@@", 1)[1])
        assert "erebor_mx_retail" in out["institutions"]
        assert out["link"]["status"] == "valid" and out["link"]["external_id"] == "node-user-1"
        assert out["mfa_status"] == 428 and out["mfa_resumed"]["status"] == "valid"
        assert sorted(out["accounts_retrieved"]) == sorted(out["accounts_listed"])
        ids = out["transaction_ids"]
        assert len(ids) == len(set(ids)) == out["transactions_retrieved"] == 600
        assert out["owners"] and out["widget_token"]["access"]
        assert out["deleted"] is True
        assert out["wrong_keys_login"] is False
        err = out["wrong_keys_error"]
        assert err["statusCode"] == 401 and err["detail"][0]["code"] == "authentication_failed"
        assert err["detail"][0]["request_id"] in sim.minted_request_ids(status=401)
        # every transactions page the SDK walked was a 10-item sandbox page
        assert len(sim.journal.find(method="GET", path="/api/transactions/", status=200)) == 60
        assert set(out["resources"]) == {"incomes", "recurringExpenses", "riskInsights", "invoices", "taxComplianceStatus",
                                         "taxRetentions", "taxReturns", "taxStatus", "employmentRecords"}
        for name, walked in out["resources"].items():
            first = walked["created"][0]
            assert set(walked["created"]) <= set(walked["listed"]) and walked["detail"] == first, name
            assert first not in walked["after"], name
        assert out["balances"] > 0
        assert out["retired"] == [[404, "not_found"]] * 3
