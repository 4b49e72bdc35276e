"""The page's one stylesheet (inline: the page must open from disk with no network). Charts take their
colours from these classes; panels sit side by side per run and stack below 820 px."""

CSS = """
:root{--fg:#1d232b;--muted:#5b6570;--line:#d7dce2;--bg:#f4f6f8;--panel:#fff;--accent:#3465a4;--alt:#4e9a06;
--warm:#c17d11;--bad:#b3261e;--ok:#2e7d32}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);
background:var(--bg)}
main{max-width:1280px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:4px 0 6px;overflow-wrap:anywhere}
h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3.run-name{font-size:14px;margin:0 0 8px;color:var(--accent);overflow-wrap:anywhere}
.sources{margin:0;padding-left:18px;color:var(--muted);overflow-wrap:anywhere}
.runs{display:grid;grid-template-columns:repeat(var(--runs),minmax(0,1fr));gap:14px}
@media (max-width:820px){.runs{grid-template-columns:minmax(0,1fr)}main{padding:10px}}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px;min-width:0}
.charts{display:flex;flex-wrap:wrap;gap:14px 28px;align-items:flex-start}
.charts>*{max-width:100%;min-width:0}
figure{margin:0;max-width:100%}
figcaption{font-weight:600;font-size:13px;margin-bottom:4px}
svg.chart,svg.tree{display:block;max-width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;font-size:12px;fill:var(--fg)}
svg .val{fill:var(--muted)}
.bar{fill:var(--accent)}.bar-alt{fill:var(--alt)}.bar-muted{fill:var(--warm)}
.axis{stroke:var(--line)}
.edge{stroke:#7a828c;stroke-width:1.6;fill:none}.edge.ungrounded{stroke:var(--bad);stroke-dasharray:5 3}.edge.mention{stroke-dasharray:2 3}
.arrow{fill:#7a828c}
.node{fill:#eef3fa;stroke:#7d9cc9}.node.root{fill:#fdf1d3;stroke:#c99a2e}
svg .node-title{font-weight:600}svg .node-kind{fill:var(--muted);font-size:11px}
svg .edge-lbl{font-size:11px;fill:#3d4650}
.note{color:var(--muted);font-size:12px;margin:4px 0 0;max-width:380px}
.none{color:var(--muted);font-style:italic;margin:0}
.problem{background:#fdecea;border:1px solid #f1b0aa;border-radius:6px;padding:8px 10px;overflow-wrap:anywhere}
.empty{margin-top:12px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px 4px 0;text-align:left;vertical-align:top}
table.summary{background:var(--panel)}table.summary td,table.summary th{padding:5px 12px}
table.cost td:not(:first-child){text-align:right}
dl.facts{display:grid;grid-template-columns:auto auto;gap:2px 14px;margin:0 0 10px;font-size:13px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;font-variant-numeric:tabular-nums}
.cards .note{max-width:none;margin-bottom:8px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px;margin:0 0 14px;background:#fcfcfd}
.card .question{font-size:15px;margin:0 0 6px;overflow-wrap:anywhere}
.card .answer{margin:0 0 4px;overflow-wrap:anywhere}
.card .meta{color:var(--muted);font-size:12px;margin:0 0 8px}
.card-body{display:flex;flex-wrap:wrap;gap:10px 22px;align-items:flex-start}
.graph{flex:0 1 auto;max-width:100%;overflow-x:auto}
ol.vertices{flex:1 1 340px;min-width:0;margin:0;padding-left:22px}
ol.vertices>li{margin-bottom:8px;overflow-wrap:anywhere}
.url{font-size:12px;color:var(--accent);overflow-wrap:anywhere}
.claim{margin:4px 0 0 2px;font-size:13px}
.claim-kind{color:var(--muted)}
blockquote{margin:3px 0 3px 14px;padding:2px 0 2px 8px;border-left:3px solid var(--line);color:#3d4650;font-size:12.5px}
.num{color:var(--muted)}
.muted{color:var(--muted)}.ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}
ul.verdicts{margin:8px 0 0;padding-left:18px;font-size:12.5px}
ul.verdicts li{overflow-wrap:anywhere}ul.verdicts li.fail b{color:var(--bad)}ul.verdicts li.pass b{color:var(--ok)}
code{background:#eceff3;padding:0 3px;border-radius:3px}
footer{color:var(--muted);font-size:12px;margin:26px 0 8px}
.run-tag{display:none;color:var(--accent);font-weight:600;font-size:12px;margin:0 0 4px}
.card-rows .card{margin:0}.card.missing{color:var(--muted);font-style:italic;background:transparent;border-style:dashed;align-self:start}
.note.wide{max-width:none;margin-bottom:8px}
@media (max-width:820px){.run-tag{display:block}.card.missing{display:none}}
@media (max-width:520px){.panel{padding:8px}.card{padding:9px}ol.vertices{padding-left:18px}
table{font-size:12px}th,td{padding-right:6px}table.summary td,table.summary th{padding:4px 6px}}
"""
