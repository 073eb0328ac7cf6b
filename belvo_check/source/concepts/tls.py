"""TLS certificate verification switched off, in any of the languages' usual spellings."""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText

# (pattern, form, global): a global switch affects every call the process makes, Belvo's included.
SWITCHES = [(re.compile(p, re.I if ci else 0), form, glob) for p, form, glob, ci in [
    (r"\bverify\s*=\s*False\b", "verify=False", False, False),
    (r"\bverify_ssl\s*=\s*False\b", "verify_ssl=False", False, False),
    (r"\bssl\s*=\s*False\b", "ssl=False (aiohttp)", False, False),
    (r"_create_unverified_context\b", "ssl._create_unverified_context", True, False),
    (r"\bcheck_hostname\s*=\s*False\b", "check_hostname=False", False, False),
    (r"\bCERT_NONE\b", "ssl.CERT_NONE", False, False),
    (r"\brejectUnauthorized\s*:\s*false\b", "rejectUnauthorized: false", False, False),
    (r"NODE_TLS_REJECT_UNAUTHORIZED\W{0,4}\s*[:=]\s*['\"]?0", "NODE_TLS_REJECT_UNAUTHORIZED=0", True, False),
    (r"\bstrictSSL\s*:\s*false\b", "strictSSL: false", False, False),
    (r"\bInsecureSkipVerify\s*:\s*true\b", "InsecureSkipVerify: true", False, False),
    (r"\b(?:TrustAllStrategy|TrustSelfSignedStrategy|NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER"
     r"|InsecureTrustManagerFactory)\b", "trust-all strategy (Java)", False, False),
    (r"\bhostnameVerifier\s*\{\s*_\s*,\s*_\s*->\s*true", "hostname verifier accepting all (Kotlin)", False, False),
    (r"\bVERIFY_NONE\b", "OpenSSL::SSL::VERIFY_NONE", False, False),
    (r"\bverify\s*:\s*false\b", "verify: false", False, False),
    (r"['\"]verify['\"]\s*=>\s*false\b", "'verify' => false (Guzzle)", False, True),
    (r"\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\s*,\s*(?:false|0)\b", "CURLOPT_SSL_VERIFYPEER off", False, True),
    (r"->\s*withoutVerifying\s*\(", "Http::withoutVerifying() (Laravel)", False, False),
    (r"\b(?:ServerCertificateCustomValidationCallback|ServerCertificateValidationCallback)\s*=.*=>\s*true\b",
     "certificate callback returning true (.NET)", False, False),
    (r"\bDangerousAcceptAnyServerCertificateValidator\b", "DangerousAcceptAnyServerCertificateValidator", False,
     False),
]]
ANCHORS = ("verif", "cert_none", "ssl=false", "ssl = false", "check_hostname", "rejectunauthorized",
           "reject_unauthorized", "strictssl", "trustall", "trustselfsigned", "insecuretrust", "hostnameverifier",
           "validationcallback", "dangerousaccept")  # the lines worth the full patterns


# Tests talk to local fakes; docs show the options.
@concept("tls_off", "TLS certificate verification switched off", topics=("tls",), skip_tests=True,
         skip_languages=("markdown",))
def match_tls(ctx: SourceText):
    for number in ctx.lines_with(*ANCHORS):
        line = ctx.line(number)
        if COMMENT_OR_IMPORT.match(line):  # names a switch without using it
            continue
        for pattern, form, is_global in SWITCHES:
            match = pattern.search(line)
            if match:
                belvo = is_global or ctx.about_belvo
                message = ("TLS certificate verification is switched off" + ("" if belvo else
                           " (in a file that does not mention Belvo: check whether Belvo calls go through it)"))
                yield ctx.finding("tls_off", "bad" if belvo else "ambiguous", message, number, match.start() + 1,
                                  form=form)
                break
