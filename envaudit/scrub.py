"""The one scrubber: secrets never reach a lock, a report or a terminal.

Two tests, both documented in docs/security.md (a test keeps the lists in step):
- by name: a variable, query parameter or flag whose name looks secret is not kept
  (a variable is not captured at all; a parameter's or flag's value becomes ***);
- by structure: URL userinfo (`scheme://user:pw@host`, an unencoded '@' in the password
  included, and scheme-less `user:pw@host`) and known token shapes (Hugging Face, GitHub,
  GitLab, AWS access key ids, Slack, OpenAI-style `sk-`, Google API keys, JWTs, bearer
  tokens, PEM private keys) are replaced by *** wherever they occur in a value.
"""

from __future__ import annotations

import functools
import re

MASK = "***"

# Names (of a variable, a query parameter, a flag) that carry a secret. PASS and PW only
# as whole words ("BYPASS" is not a secret); KEY anywhere (API_KEY, ACCESS_KEY_ID...).
SECRET_NAME = re.compile(
    r"TOKEN|SECRET|KEY|PASSW|PWD|CREDENTIAL|AUTH|PRIVATE|COOKIE|SESSION|SIGNATURE|CERT|BEARER"
    r"|JWT|(?:^|[_.-])(?:PASS|PW|SIG|CRED|PASSPHRASE)(?:$|[_.-])|^X-(?:AMZ|GOOG)-",
    re.I,
)

# Anything a secret by structure or by name-inside-a-value needs; most values ("0",
# "/usr/local/cuda") have none of it and skip the patterns below (compiled on first use).
_MAYBE = re.compile(r"[@=]|hf_|gh[pousr]_|github_pat_|glpat-|A(?:KIA|SIA|GPA|IDA|ROA)|xox"
                    r"|sk-|AIza|npm_|eyJ|(?i:bearer)|-----BEGIN")


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(URL userinfo, bare userinfo, name=value, token shapes), compiled once when needed."""
    # scheme://userinfo@ — the authority ends at the first / ? # or blank, and the LAST '@'
    # before it ends the userinfo, so "https://u:p@SECRET@host" loses all of "u:p@SECRET@".
    # Every pattern starts only where a run of its characters starts (the lookbehinds): without
    # that, a long run that is not a match costs a scan per character, quadratic time.
    url_userinfo = re.compile(
        r"(?<![a-z0-9+.-])(?P<scheme>[a-z][a-z0-9+.-]*://)[^/?#\s@]*(?:@[^/?#\s@]*)*@", re.I)
    # user:password@host without a scheme (git remotes like git@host:org/repo have no ':' first).
    bare_userinfo = re.compile(r"(?<![\w/.:@-])[\w.%+-]+:[^\s/@]*(?:@[^\s/@]*)*@(?=[\w\[])")
    # name=value inside a value (query strings, --flags=, KEY=VALUE lists); the name is tested.
    assign = re.compile(r"(?<![\w.-])(?P<name>-{0,2}[A-Za-z_][\w.-]*)=(?P<value>[^\s&#;,'\"]+)")
    tokens = re.compile(
        r"(?<![A-Za-z0-9])(?:"
        r"hf_[A-Za-z0-9]{20,}"  # Hugging Face
        r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub
        r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
        r"|(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}"  # AWS key ids
        r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
        r"|sk-[A-Za-z0-9_-]{20,}"  # OpenAI-style secret keys
        r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
        r"|npm_[A-Za-z0-9]{36}"  # npm
        r"|eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"  # JWT (header.payload.sig)
        r")"
        r"|(?i:bearer)\s+[\w.~+/=-]{8,}"
        r"|-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
        re.S,
    )
    return url_userinfo, bare_userinfo, assign, tokens


def secret_name(name: str) -> bool:
    """Whether a variable, parameter or flag of this name carries a secret."""
    return SECRET_NAME.search(name.lstrip("-")) is not None


def _assignment(m: re.Match[str]) -> str:
    return f"{m.group('name')}={MASK}" if secret_name(m.group("name")) else m.group(0)


def scrub(value: str) -> str:
    """`value` with every secret found by structure or by name replaced by ***."""
    if not value or not _MAYBE.search(value):
        return value
    url_userinfo, bare_userinfo, assign, tokens = _patterns()
    out = url_userinfo.sub(rf"\g<scheme>{MASK}@", value)
    out = bare_userinfo.sub(f"{MASK}@", out)
    out = tokens.sub(MASK, out)
    return assign.sub(_assignment, out) if "=" in out else out


# C0 and C1 controls (ESC, BEL, CR...), DEL, and the bidi/zero-width format characters
# that can make a terminal show something else than the bytes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_newlines: bool = True) -> str:
    """Control characters shown as \\xNN, so untrusted text cannot drive a terminal.

    Tabs and (by default) newlines are kept: they are the layout of a human format."""
    pattern = _CONTROL if keep_newlines else _CONTROL_ALL
    return pattern.sub(_escaped, text) if pattern.search(text) else text


def one_line(text: str, limit: int = 400) -> str:
    """An error message fit for one stderr line: scrubbed, escaped, shortened."""
    flat = escape_controls(scrub(text), keep_newlines=False)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
