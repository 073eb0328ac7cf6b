"""TLS certificate verification switched off, in any of the languages' usual spellings."""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText

SWITCHES = [(re.compile(pattern), form) for pattern, form in [
    (r"\bverify\s*=\s*False\b", "verify=False"),
    (r"\bverify_ssl\s*=\s*False\b", "verify_ssl=False"),
    (r"\bssl\s*=\s*False\b", "ssl=False (aiohttp)"),
    (r"_create_unverified_context\b", "ssl._create_unverified_context"),
    (r"\bcheck_hostname\s*=\s*False\b", "check_hostname=False"),
    (r"\bCERT_NONE\b", "ssl.CERT_NONE"),
    (r"\brejectUnauthorized\s*:\s*false\b", "rejectUnauthorized: false"),
    (r"NODE_TLS_REJECT_UNAUTHORIZED\W{0,4}\s*[:=]\s*['\"]?0", "NODE_TLS_REJECT_UNAUTHORIZED=0"),
    (r"\bstrictSSL\s*:\s*false\b", "strictSSL: false"),
    (r"\bInsecureSkipVerify\s*:\s*true\b", "InsecureSkipVerify: true"),
    (r"\b(?:TrustAllStrategy|TrustSelfSignedStrategy|NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER"
     r"|InsecureTrustManagerFactory)\b", "trust-all strategy (Java)"),
    (r"\bhostnameVerifier\s*\{\s*_\s*,\s*_\s*->\s*true", "hostname verifier accepting all (Kotlin)"),
    (r"\bVERIFY_NONE\b", "OpenSSL::SSL::VERIFY_NONE"),
    (r"\bverify\s*:\s*false\b", "verify: false"),
    (r"(?i)['\"]verify['\"]\s*=>\s*false\b", "'verify' => false (Guzzle)"),
    (r"(?i)\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\s*,\s*(?:false|0)\b", "CURLOPT_SSL_VERIFYPEER off"),
    (r"->\s*withoutVerifying\s*\(", "Http::withoutVerifying() (Laravel)"),
    (r"\b(?:ServerCertificateCustomValidationCallback|ServerCertificateValidationCallback)\s*=.*=>\s*true\b",
     "certificate callback returning true (.NET)"),
    (r"\bDangerousAcceptAnyServerCertificateValidator\b", "DangerousAcceptAnyServerCertificateValidator"),
]]
# Switches that affect every call the process makes, Belvo's included, wherever they are written.
PROCESS_WIDE = frozenset({"ssl._create_unverified_context", "NODE_TLS_REJECT_UNAUTHORIZED=0"})
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
        for pattern, form in SWITCHES:
            match = pattern.search(line)
            if match:
                belvo = form in PROCESS_WIDE or ctx.about_belvo
                message = ("TLS certificate verification is switched off" + ("" if belvo else
                           " (in a file that does not mention Belvo: check whether Belvo calls go through it)"))
                yield ctx.finding("tls_off", "bad" if belvo else "ambiguous", message, number, match.start() + 1,
                                  form=form)
                break
