"""HtmlFormat: the fleet as one self-contained page (inline CSS and JS, no network).

Sortable, filterable tables of root causes and of hosts × root causes, a per-host
drill-down and an inline SVG chart of hosts per worst severity. The filter can be given
in the URL fragment (`#q=driver&severity=error&host=node-7&sort=matrix.2.desc`: table id,
column index, direction), which the browser test uses.
A Content-Security-Policy forbids every fetch, so the page cannot reach the network.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from envaudit.choices import FailOn
from envaudit.fleet.hostreport import printable
from envaudit.fleet.interface import Cause, Fleet, FleetFormat, FleetHost
from envaudit.formats.fleet_text import cause_line, headline, values

# Matrix columns: warning and error causes, the widest first (info causes are in the table).
MAX_COLUMNS = 60
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'")
_SEVERITY_KEY = {"error": 3, "warning": 2, "info": 1, "clean": 0}

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3;cursor:pointer;user-select:none;position:sticky;top:0}
th.asc::after{content:" \\25B2"}th.desc::after{content:" \\25BC"}
.sev-error{color:#b00020;font-weight:600}.sev-warning{color:#a05a00}.sev-info{color:#0b6f8a}
td.hit{text-align:center}td.num{text-align:right}
#controls{margin:.5em 0;position:sticky;top:0;background:#fff;padding:.3em 0;z-index:1}
button.drill{border:0;background:none;color:#0645ad;text-decoration:underline;cursor:pointer;
padding:0;font:inherit}
#drill{border:1px solid #999;padding:.5em 1em;background:#fafafa}
.muted{color:#666}
"""

_JS = r"""
(function(){
"use strict";
var data=JSON.parse(document.getElementById("fleet-data").textContent);
var q=document.getElementById("q"),sev=document.getElementById("severity");
var causeText=data.causes.map(function(c){
  return (c.r+" "+c.sj+" "+c.m+" "+c.l+" "+c.c).toLowerCase();});
function causeOk(i,text,s){var c=data.causes[i];
  return (!s||c.s===s)&&(!text||causeText[i].indexOf(text)>=0);}
function hostOk(h,text,s){
  if(h.c.some(function(i){return causeOk(i,text,s);})){return true;}
  var named=(h.n+" "+h.m+" "+h.id).toLowerCase().indexOf(text)>=0;
  return named&&(!s||h.c.some(function(i){return data.causes[i].s===s;}));}
function ofNamedHosts(text){
  var set=new Set();if(!text){return set;}
  data.hosts.forEach(function(h){if((h.n+" "+h.m+" "+h.id).toLowerCase().indexOf(text)>=0){
    h.c.forEach(function(i){set.add(i);});}});
  return set;}
function apply(){
  var text=q.value.trim().toLowerCase(),s=sev.value,nc=0,nh=0,named=ofNamedHosts(text);
  document.querySelectorAll("#causes tbody tr").forEach(function(tr){
    var i=+tr.dataset.cause;
    var ok=causeOk(i,text,s)||(named.has(i)&&(!s||data.causes[i].s===s));
    tr.hidden=!ok;nc+=ok?1:0;});
  document.querySelectorAll("#matrix tbody tr").forEach(function(tr){
    var ok=hostOk(data.hosts[+tr.dataset.host],text,s);tr.hidden=!ok;nh+=ok?1:0;});
  document.getElementById("shown").textContent=nh+" of "+data.hosts.length+" hosts, "+
    nc+" of "+data.causes.length+" root causes shown";}
function cell(tr,text,cls){var td=document.createElement("td");td.textContent=text;
  if(cls){td.className=cls;}tr.appendChild(td);}
function drill(hi){
  var h=data.hosts[hi],box=document.getElementById("drill"),body=box.querySelector("tbody");
  document.getElementById("drill-name").textContent=h.n;
  document.getElementById("drill-meta").textContent="id "+h.id+" \u00b7 model "+(h.m||"\u2013")+
    " \u00b7 "+(h.t||"no time")+" \u00b7 lock "+(h.l||"\u2013")+" \u00b7 "+h.src;
  body.textContent="";
  h.c.forEach(function(i){var c=data.causes[i],tr=document.createElement("tr");
    cell(tr,c.s,"sev-"+c.s);cell(tr,c.r);cell(tr,c.sj);cell(tr,c.l+" \u2192 "+c.c);cell(tr,c.m);
    body.appendChild(tr);});
  if(!h.c.length){var tr=document.createElement("tr");cell(tr,"no findings");body.appendChild(tr);}
  box.hidden=false;}
var sorting="";
function sortBy(th,desc){
  var table=th.closest("table"),body=table.tBodies[0],col=th.cellIndex;
  table.querySelectorAll("th").forEach(function(x){x.classList.remove("asc","desc");});
  th.classList.add(desc?"desc":"asc");
  sorting=table.id+"."+col+(desc?".desc":"");
  function key(tr){var td=tr.cells[col];return td?(td.dataset.key||td.textContent):"";}
  var rows=Array.prototype.slice.call(body.rows),num=rows.every(function(r){
    var k=key(r);return k===""||!isNaN(k);});
  rows.sort(function(a,b){var x=key(a),y=key(b);
    var d=num?(+x)-(+y):x.localeCompare(y);return desc?-d:d;});
  rows.forEach(function(r){body.appendChild(r);});}
function sortFrom(spec){
  var part=spec.split("."),table=document.getElementById(part[0]);
  var th=table&&table.tHead?table.tHead.rows[0].cells[+part[1]]:null;
  if(th){sortBy(th,part[2]==="desc");}}
function fromHash(){
  var p=new URLSearchParams(location.hash.slice(1));
  q.value=p.get("q")||"";sev.value=p.get("severity")||"";apply();
  if(p.get("sort")){sortFrom(p.get("sort"));}
  var name=p.get("host");if(name!==null){
    var hi=data.hosts.findIndex(function(h){return h.n===name;});if(hi>=0){drill(hi);}}}
function toHash(extra){
  var p=new URLSearchParams();if(q.value){p.set("q",q.value);}
  if(sev.value){p.set("severity",sev.value);}if(sorting){p.set("sort",sorting);}
  if(extra){p.set("host",extra);}history.replaceState(null,"","#"+p.toString());}
q.addEventListener("input",function(){apply();toHash();});
sev.addEventListener("change",function(){apply();toHash();});
document.querySelectorAll("th").forEach(function(th){
  th.addEventListener("click",function(){sortBy(th,th.classList.contains("asc"));toHash();});});
document.querySelectorAll("button.drill").forEach(function(b){
  b.addEventListener("click",function(){var hi=+b.closest("tr").dataset.host;
    drill(hi);toHash(data.hosts[hi].n);});});
window.addEventListener("hashchange",fromHash);
fromHash();
document.documentElement.dataset.ready="1";
})();
"""


def _cause_data(c: Cause) -> dict[str, str]:
    return {"s": c.severity.value, "r": c.rule, "sj": c.subject, "l": c.locked or "–",
            "c": c.current or "–", "m": c.message or c.title}


def _host_data(h: FleetHost) -> dict[str, Any]:
    return {"n": h.hostname, "id": h.host_id, "t": h.time, "m": h.model,
            "l": h.lock_content_hash, "src": h.source, "c": list(h.causes)}


def _data_script(fleet: Fleet) -> str:
    doc = {"causes": [_cause_data(c) for c in fleet.causes],
           "hosts": [_host_data(h) for h in fleet.hosts]}
    # "<" escaped so that no value can close the script element.
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="fleet-data">{text}</script>'


def _chart(fleet: Fleet) -> str:
    """Hosts per worst severity as horizontal bars (inline SVG)."""
    counts = fleet.worst_counts()
    top = max(counts.values()) or 1
    rows = []
    for i, (name, n) in enumerate(counts.items()):
        y, width = 6 + i * 24, round(240 * n / top)
        rows.append(f'<text x="0" y="{y + 13}">{name}</text>'
                    f'<rect class="bar-{name}" x="70" y="{y}" width="{width}" height="18"'
                    f' fill="{_COLORS[name]}"/><text x="{76 + width}" y="{y + 13}">{n}</text>')
    return (f'<svg id="chart" role="img" aria-label="hosts per worst severity" width="380"'
            f' height="{12 + 24 * len(counts)}" font-size="12">{"".join(rows)}</svg>')


_COLORS = {"error": "#b00020", "warning": "#e08a00", "info": "#2a9bb5", "clean": "#3c9a45"}


def _td(text: str, key: str | int | None = None, cls: str = "") -> str:
    attrs = (f' data-key="{escape(str(key))}"' if key is not None else "") + (
        f' class="{cls}"' if cls else "")
    return f"<td{attrs}>{escape(printable(text))}</td>"


def _causes_table(fleet: Fleet) -> str:
    head = "".join(f"<th>{h}</th>" for h in (
        "#", "severity", "rule", "root cause", "subject", "locked → current", "hosts"))
    rows = []
    for i, c in enumerate(fleet.causes):
        sev = c.severity.value
        rows.append(
            f'<tr data-cause="{i}">{_td(str(i + 1), i + 1, "num")}'
            f"{_td(sev, _SEVERITY_KEY[sev], 'sev-' + sev)}{_td(c.rule)}"
            f"{_td(cause_line(fleet, i))}{_td(c.subject)}{_td(values(c))}"
            f"{_td(str(len(fleet.cause_hosts[i])), len(fleet.cause_hosts[i]), 'num')}</tr>")
    return (f'<table id="causes"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _columns(fleet: Fleet) -> list[int]:
    return [i for i, c in enumerate(fleet.causes) if c.severity.value != "info"][:MAX_COLUMNS]


def _host_row(fleet: Fleet, hi: int, columns: list[int]) -> str:
    h = fleet.hosts[hi]
    worst = fleet.worst(h)
    w = worst.value if worst else "clean"
    n = fleet.severity_counts(h)
    has = set(h.causes)
    cells = "".join(
        _td("●", 1, "hit sev-" + fleet.causes[ci].severity.value) if ci in has
        else _td("", 0) for ci in columns)
    name = escape(printable(h.hostname))
    return (f'<tr data-host="{hi}"><td data-key="{name}">'
            f'<button class="drill" type="button">{name}</button></td>'
            f"{_td(w, _SEVERITY_KEY[w], 'sev-' + w)}"
            + "".join(_td(str(n[s]), n[s], "num") for s in ("error", "warning", "info"))
            + f"{_td(h.model or '–')}{_td(h.time or '–')}{cells}</tr>")


def _column_title(c: Cause) -> str:
    return f"{c.rule} {c.subject}: {values(c)}"


def _matrix(fleet: Fleet) -> str:
    columns = _columns(fleet)
    head = "".join(f"<th>{h}</th>" for h in (
        "host", "worst", "errors", "warnings", "info", "model", "time"))
    head += "".join(f'<th title="{escape(printable(_column_title(fleet.causes[i])))}">#{i + 1}</th>'
                    for i in columns)
    rows = "".join(_host_row(fleet, hi, columns) for hi in range(len(fleet.hosts)))
    return f'<table id="matrix"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


_CONTROLS = (
    '<div id="controls"><label>filter <input id="q" type="search" size="30"'
    ' placeholder="host, rule, subject, value…"></label> <label>severity <select id="severity">'
    '<option value="">any</option><option value="error">error</option>'
    '<option value="warning">warning</option><option value="info">info</option></select></label>'
    ' <span id="shown" class="muted"></span></div>')
_DRILL = (
    '<section id="drill" hidden><h2>Host <span id="drill-name"></span></h2>'
    '<p id="drill-meta" class="muted"></p><table id="drill-table"><thead><tr><th>severity</th>'
    "<th>rule</th><th>subject</th><th>locked → current</th><th>finding</th></tr></thead>"
    "<tbody></tbody></table></section>")


class HtmlFormat(FleetFormat):
    def render(self, fleet: Fleet, fail_on: FailOn) -> str:
        summary = "".join(f"<p>{escape(line)}</p>" for line in headline(fleet, fail_on))
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>envaudit fleet report</title><style>{_CSS}</style></head><body>"
            f'<h1>envaudit fleet report</h1><div id="summary">{summary}</div>{_chart(fleet)}'
            f"{_CONTROLS}<h2>Root causes</h2>{_causes_table(fleet)}{_DRILL}"
            f"<h2>Hosts × root causes</h2>"
            '<p class="muted">Click a host for its findings; a column header is a root cause'
            " (#n in the table above); click any header to sort.</p>"
            f"{_matrix(fleet)}{_data_script(fleet)}<script>{_JS}</script></body></html>\n")
