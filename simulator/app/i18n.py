"""App text in Dutch (default) and English.

Domain words (brede welvaart, bouwblok, hier en nu, later, elders) stay Dutch in
both languages. :func:`t` looks a key up in the current language; a missing key
falls back to Dutch, then to the key itself, so a typo never crashes a page.
"""

from __future__ import annotations

# Unit words live in the core (the command line says them too); re-exported for the pages.
from simulator.analysis.text import UNIT_WORDS_NL as UNIT_WORDS_NL
from simulator.analysis.text import unit_label as unit_label
from simulator.errors import InputError
from simulator.errors import error_text as error_text
from simulator.themes import theme_name

LANGUAGES = ("nl", "en")

TEXT: dict[str, dict[str, str]] = {
    # app and navigation
    "app_title": {
        "nl": "bwsim: brede welvaart in scenario's",
        "en": "bwsim: brede welvaart scenarios",
    },
    "page_builder": {"nl": "Toekomst bouwen", "en": "Build a future"},
    "page_network": {"nl": "Het netwerk", "en": "The network"},
    "page_compare": {"nl": "Toekomsten vergelijken", "en": "Compare futures"},
    "page_assumptions": {"nl": "Eigen aannames", "en": "Own assumptions"},
    "page_export": {"nl": "Exporteren en delen", "en": "Export and share"},
    "page_calibration": {"nl": "Kalibreren en monitoren", "en": "Calibrate and monitor"},
    "page_workshop_group": {"nl": "Workshop: groep", "en": "Workshop: group"},
    "page_workshop_facilitator": {"nl": "Workshop: begeleider", "en": "Workshop: facilitator"},
    "language": {"nl": "Taal", "en": "Language"},
    "choose": {"nl": "Kies…", "en": "Choose…"},
    "model": {"nl": "Model", "en": "Model"},
    "own_model": {
        "nl": "Eigen model (aangepast of geüpload)",
        "en": "Own model (edited or uploaded)",
    },
    "no_model": {
        "nl": "Geen model gevonden. Start met `bwsim ui --model BESTAND`.",
        "en": "No model found. Start with `bwsim ui --model FILE`.",
    },
    # builder
    "intro": {
        "nl": "Wat doet groei van de medtech-logistiek in Heerlen met werk, inkomen, wonen, gezondheid "
        "en milieu, hier en nu, later en elders? Kies een scenario, schuif aan de knoppen en zie "
        "de brede welvaart meebewegen. Groen is beter, rood is slechter dan zonder ingreep.",
        "en": "What does growth of medtech logistics in Heerlen do to jobs, income, housing, health and "
        "the environment, hier en nu, later and elders? Pick a scenario, move the sliders and watch "
        "brede welvaart move. Green is better, red is worse than without intervention.",
    },
    "intro_generic": {
        "nl": "Kies een scenario, schuif aan de knoppen en zie de brede welvaart meebewegen. "
        "Groen is beter, rood is slechter dan zonder ingreep.",
        "en": "Pick a scenario, move the sliders and watch brede welvaart move. "
        "Green is better, red is worse than without intervention.",
    },
    "scenario": {"nl": "Scenario", "en": "Scenario"},
    "baseline": {"nl": "Basispad (geen ingreep)", "en": "Baseline (no intervention)"},
    "interventions": {"nl": "Ingrepen", "en": "Interventions"},
    "assumptions": {"nl": "Aannames om over te discussiëren", "en": "Assumptions to argue about"},
    "assumptions_help": {
        "nl": "Onzekere verbanden, binnen hun bandbreedte (laag..hoog). Wat u hier verandert, wordt apart "
        "getoond: ingrepen met standaardaannames én ingrepen met uw aannames.",
        "en": "Uncertain links, within their range (low..high). What you change here is shown apart: "
        "interventions with default assumptions and interventions with your assumptions.",
    },
    "more_assumptions": {"nl": "Meer aannames", "en": "More assumptions"},
    "choose_assumptions": {"nl": "Welke aannames?", "en": "Which assumptions?"},
    "reset": {"nl": "Terug naar het scenario", "en": "Back to the scenario"},
    "timing": {"nl": "Timing van de ingrepen", "en": "Timing of the interventions"},
    "year": {"nl": "Jaar", "en": "Year"},
    "scorecard": {"nl": "Scorekaart brede welvaart", "en": "Brede welvaart scorecard"},
    "scorecard_help": {
        "nl": "Per thema en dimensie de grootste verandering ten opzichte van het basispad, in het gekozen jaar.",
        "en": "Per theme and dimension the largest change against the baseline, in the chosen year.",
    },
    "measured_only": {"nl": "Alleen gemeten indicatoren", "en": "Measured indicators only"},
    "measured_only_help": {
        "nl": "Laat de indices weg die door experts zijn gescoord (niet gemeten), zodat je ziet wat er overblijft.",
        "en": "Leave out the indices scored by experts (not measured), to see what remains.",
    },
    "measured_only_on": {
        "nl": "Zonder de {n} door experts gescoorde indices.",
        "en": "Without the {n} indices scored by experts.",
    },
    "key_paths": {"nl": "Belangrijkste paden", "en": "Key paths"},
    "indicators": {"nl": "Indicatoren", "en": "Indicators"},
    "band": {"nl": "Onzekerheid", "en": "Uncertainty"},
    "band_samples": {"nl": "Trekkingen", "en": "Draws"},
    "band_help": {
        "nl": "200 runs met onzekere gewichten en vertragingen: banden om de paden en in de "
        "scorekaart het deel van de runs dat het eens is.",
        "en": "200 runs with uncertain weights and lags: bands around the paths and, in the "
        "scorecard, the share of runs that agree.",
    },
    "effects": {"nl": "Wat er gebeurt", "en": "What happens"},
    "tradeoffs": {"nl": "Afwegingen", "en": "Trade-offs"},
    "distribution": {"nl": "Verdeling", "en": "Distribution (verdeling)"},
    "distribution_help": {
        "nl": "Wordt het verschil tussen groepen (bijvoorbeeld wijken) groter of kleiner dan zonder ingreep?",
        "en": "Does the gap between groups (for example wijken) widen or narrow compared with no intervention?",
    },
    "with_defaults": {
        "nl": "Ingrepen, standaardaannames",
        "en": "Interventions, default assumptions",
    },
    "with_own": {"nl": "Ingrepen, eigen aannames", "en": "Interventions, own assumptions"},
    "series_baseline": {"nl": "Basispad", "en": "Baseline"},
    "changed_assumptions": {"nl": "Gewijzigde aannames", "en": "Changed assumptions"},
    "no_changes": {
        "nl": "Geen ingrepen: alles volgt het basispad. Zet een schuif hoger.",
        "en": "No interventions: everything follows the baseline. Move a slider up.",
    },
    "per_year": {"nl": "per jaar", "en": "per year"},
    "total": {"nl": "totaal", "en": "total"},
    # the answer first (builder page top)
    "answer_title": {"nl": "De uitkomst in {year}", "en": "The outcome in {year}"},
    "ambitions_title": {"nl": "Ambities: {reached} van {n} gehaald", "en": "Ambitions: {reached} of {n} reached"},
    "ambition_reached": {"nl": "gehaald", "en": "reached"},
    "ambition_not_reached": {"nl": "niet gehaald", "en": "not reached"},
    "answer_against": {
        "nl": "Vergeleken met het basispad (zonder ingreep), in het gekozen jaar.",
        "en": "Compared with the baseline (no intervention), in the chosen year.",
    },
    "headline_below_precision": {
        "nl": "De verandering is kleiner dan de meetprecisie ({precision}): geen meting zou haar zien, dus grijs.",
        "en": "The change is below the measurement precision ({precision}): no survey would see it, so grey.",
    },
    "headline_help": {
        "nl": "In {year}; eenheid: {unit}. Zonder ingreep: {base}. De pijl toont het verschil; groen is beter.",
        "en": "In {year}; unit: {unit}. Without intervention: {base}. The arrow shows the difference; green is better.",
    },
    "sentence_level": {
        "nl": "In {year} is {name} vrijwel gelijk aan zonder ingreep.",
        "en": "In {year}, {name} is about the same as without intervention.",
    },
    "sentence_change": {
        "nl": "In {year} is {name} {change} dan zonder ingreep",
        "en": "In {year}, {name} is {change} than without intervention",
    },
    "sentence_improves": {"nl": ": een verbetering", "en": ": an improvement"},
    "sentence_worsens": {"nl": ": een verslechtering", "en": ": a worsening"},
    "sentence_share": {"nl": " (in {share} van de runs)", "en": " (in {share} of the runs)"},
    "dimension_level": {
        "nl": "{dimension}: geen merkbare verandering ({n} indicatoren vrijwel gelijk)",
        "en": "{dimension}: no noticeable change ({n} indicators about the same)",
    },
    "verdict_counts": {
        "nl": "{dimension}: {better} van de {n} indicatoren beter, {worse} slechter",
        "en": "{dimension}: {better} of {n} indicators better, {worse} worse",
    },
    "verdict_best": {"nl": "; grootste verbetering: {what}", "en": "; largest improvement: {what}"},
    "verdict_worst": {"nl": "; grootste verslechtering: {what}", "en": "; largest worsening: {what}"},
    "verdict_improves": {"nl": "beter", "en": "better"},
    "verdict_worsens": {"nl": "slechter", "en": "worse"},
    "verdict_level": {"nl": "vrijwel gelijk", "en": "about the same"},
    "verdict_neutral": {"nl": "neutraal, niet gescoord", "en": "neutral, not scored"},
    "scorecard_legend": {
        "nl": "Elke cel is een thema binnen een dimensie. **▲ 3,4 %**: de grootste verandering in de cel is een "
        "verbetering van 3,4 % ten opzichte van het basispad; **▼**: een verslechtering. **±**: in de cel "
        "verbeteren én verslechteren indicatoren (oranje). Groen is beter, rood is slechter. "
        "**=**: alle indicatoren vrijwel gelijk (binnen 0,1 %). **·**: alleen "
        "indicatoren zonder goede of slechte richting (niet gescoord). **(92 %)**: met onzekerheid aan, het "
        "deel van de 200 runs met hetzelfde oordeel. Wat een ingreep zelf verschuift (de banen van een "
        "banenknop) bepaalt de maat alleen als verder niets beweegt.",
        "en": "Each cell is a theme within a dimension. **▲ 3.4 %**: the largest change in the cell is an "
        "improvement of 3.4 % of the baseline; **▼**: a worsening. **±**: indicators in the cell both improve "
        "and worsen (orange). Green is better, red is worse. "
        "**=**: every indicator about the same (within 0.1 %). **·**: only indicators without a better or "
        "worse direction (not scored). **(92 %)**: with uncertainty on, the share of the 200 runs that agree. "
        "What an intervention pushes itself (the jobs of a jobs lever) sizes a cell only when nothing else "
        "moves.",
    },
    "scorecard_click": {"nl": "Klik een cel voor haar indicatoren.", "en": "Click a cell for its indicators."},
    "no_indicators": {"nl": "Geen indicatoren.", "en": "No indicators."},
    "page_monitor": {"nl": "Monitor", "en": "Monitor"},
    "page_cycle": {"nl": "Beleidscyclus", "en": "Policy cycle"},
    # policy cycle
    "cycle_intro": {
        "nl": "Waar in de beleidscyclus helpt bwsim? Per fase eerst het antwoord, dan de pagina waar het is "
        "uitgewerkt. Alle uitkomsten zijn verschillen met het basispad zonder ingreep.",
        "en": "Where in the policy cycle does bwsim help? Per phase the answer first, then the page where it is "
        "worked out. All results are differences from the baseline without intervention.",
    },
    "cycle_prepare": {"nl": "1. Voorbereiding", "en": "1. Voorbereiding (preparation)"},
    "cycle_prepare_question": {
        "nl": "Haalt de toekomst die u bouwt de ambities? Hoe ver ervan af, en met welke kans?",
        "en": "Does the future you build reach the ambitions? How far from them, and with what chance?",
    },
    "cycle_prepare_for": {
        "nl": "Voor de toekomst op 'Toekomst bouwen' (vanuit {scenario}); kans uit {n} runs met onzekere aannames.",
        "en": "For the future on 'Build a future' (from {scenario}); chance from {n} runs with uncertain assumptions.",
    },
    "cycle_scenarios": {"nl": "De scenario's tegen de ambities", "en": "The scenarios against the ambitions"},
    "cycle_scenarios_help": {
        "nl": "Elk scenario zoals het is, zonder uw schuiven; de kolommen 1, 2, … zijn de ambities hierboven.",
        "en": "Each scenario as it is, without your slider moves; the columns 1, 2, … are the ambitions above.",
    },
    "cycle_col_reached": {"nl": "Gehaald", "en": "Reached"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "cycle_reached_of": {"nl": "{k} van {n}", "en": "{k} of {n}"},
    "cycle_no_ambitions": {
        "nl": "Dit model heeft geen ambitiebestand (<model>.ambitions.yaml): er is niets om tegen te toetsen.",
        "en": "This model has no ambitions file (<model>.ambitions.yaml): there is nothing to check against.",
    },
    "cycle_no_ambitions_in_horizon": {
        "nl": "Geen van de ambities valt binnen de tijdshorizon van deze toekomst.",
        "en": "None of the ambitions falls within this future's time horizon.",
    },
    "cycle_to_builder": {"nl": "Uitgewerkt: Toekomst bouwen", "en": "Worked out: Build a future"},
    "cycle_to_compare": {"nl": "Scenario's vergelijken", "en": "Compare futures"},
    "cycle_implement": {"nl": "2. Uitvoering", "en": "2. Uitvoering (implementation)"},
    "cycle_implement_question": {
        "nl": "Loopt het op koers? De laatste waarnemingen tegen de verwachte band van deze toekomst.",
        "en": "Is it on track? The latest observations against this future's expected band.",
    },
    "cycle_band": {
        "nl": "De band is 5-95 % van {n} runs met onzekere aannames.",
        "en": "The band is 5-95 % of {n} runs with uncertain assumptions.",
    },
    "cycle_uploaded": {"nl": "Waarnemingen: uw bestand {file}.", "en": "Observations: your file {file}."},
    "cycle_no_observed": {
        "nl": "Geen waarnemingen bij dit model. Upload ze op de pagina Monitor.",
        "en": "No observations for this model. Upload them on the Monitor page.",
    },
    "cycle_to_monitor": {"nl": "Uitgewerkt: Monitor", "en": "Worked out: Monitor"},
    "cycle_places_title": {
        "nl": "Vergeleken met andere plaatsen en het verleden",
        "en": "Compared with other places and the past",
    },
    "cycle_places_caption": {
        "nl": "Echte cijfers van het CBS (data/parkstad-observed.csv): elke indicator naast het Nederlandse "
        "gemiddelde, de andere gemeenten in de data en de eigen eerdere waarnemingen, zoals de CBS-monitor het zegt.",
        "en": "Real CBS figures (data/parkstad-observed.csv): each indicator next to the Dutch average, the other "
        "gemeenten in the data and its own earlier observations, as the CBS monitor phrases it.",
    },
    "cycle_place": {"nl": "Plaats", "en": "Place"},
    "cycle_evaluate": {"nl": "3. Evaluatie", "en": "3. Evaluatie (evaluation)"},
    "cycle_evaluate_question": {
        "nl": "Werkte het beleid? Het waargenomen effect (waarneming min het pad zonder beleid) tegen het "
        "verwachte effect.",
        "en": "Did the policy work? The observed impact (observation minus the path without the policy) against "
        "the expected impact.",
    },
    "cycle_evaluate_for": {
        "nl": "Scenario {scenario}, beleid sinds {since}; 90 %-banden, de verwachte uit {n} runs.",
        "en": "Scenario {scenario}, policy since {since}; 90 % bands, the expected one from {n} runs.",
    },
    "cycle_evaluation_note": {
        "nl": "Illustratief: synthetische gegevens met een bekend effect van het beleid. Geen echte waarnemingen.",
        "en": "Illustrative: synthetic data with a known impact of the policy. Not real observations.",
    },
    "cycle_no_evaluation": {
        "nl": "Voor dit model is er geen evaluatie achteraf: die vraagt waarnemingen van vóór en na de start "
        "van het beleid (bwsim evaluate).",
        "en": "There is no evaluation after the fact for this model: it needs observations from before and after "
        "the policy started (bwsim evaluate).",
    },
    "cycle_evaluation_worked_out": {
        "nl": "Uitgewerkt: elke beoordeelde waarneming",
        "en": "Worked out: every evaluated observation",
    },
    "cycle_col_counterfactual": {"nl": "Zonder beleid", "en": "Without the policy"},
    "cycle_col_impact": {"nl": "Waargenomen effect (90 %)", "en": "Observed impact (90 %)"},
    "cycle_col_expected": {"nl": "Verwacht effect (90 %)", "en": "Expected impact (90 %)"},
    "cycle_col_verdict": {"nl": "Oordeel", "en": "Verdict"},
    "cycle_report": {"nl": "Rapport bij een raadsvoorstel", "en": "Report for a council proposal"},
    "cycle_report_help": {
        "nl": "Het rapport van de toekomst die u bouwt, met de ambities, als één HTML-bestand.",
        "en": "The report of the future you build, with the ambitions, as one HTML file.",
    },
    "monitor_intro": {
        "nl": "Leg waarnemingen naast de verwachting van de toekomst die u op 'Toekomst bouwen' bouwt.",
        "en": "Put observations beside the expectation of the future you build on 'Build a future'.",
    },
    "slider_value": {"nl": "Nu: {value}", "en": "Now: {value}"},
    # policy note (exports)
    "note_source": {
        "nl": "Bron: eigen berekening met bwsim, model '{model}', {date}. Een verkennend model: uitkomsten zijn "
        "verschillen met het basispad, geen voorspellingen.",
        "en": "Source: own calculation with bwsim, model '{model}', {date}. An exploratory model: results are "
        "differences from the baseline, not forecasts.",
    },
    "note_path_legend": {
        "nl": "Gestreepte grijze lijn: het basispad zonder ingreep; doorgetrokken lijnen: de toekomst.",
        "en": "Dashed grey line: the baseline without intervention; solid lines: the future.",
    },
    "note_subtitle": {"nl": "Scenario: {scenario} · {year}", "en": "Scenario: {scenario} · {year}"},
    "xl_summary": {"nl": "Samenvatting", "en": "Summary"},
    "xl_about": {"nl": "Deze toekomst", "en": "This future"},
    "xl_item": {"nl": "Onderdeel", "en": "Item"},
    "xl_value": {"nl": "Waarde", "en": "Value"},
    "xl_future": {"nl": "Scenario", "en": "Scenario"},
    "xl_year": {"nl": "Jaar", "en": "Year"},
    "xl_against": {"nl": "Vergeleken met", "en": "Compared with"},
    "xl_headlines": {"nl": "Kerncijfers", "en": "Headline numbers"},
    "xl_value_year": {"nl": "Waarde in {year}", "en": "Value in {year}"},
    "xl_baseline": {"nl": "Zonder ingreep", "en": "Without intervention"},
    "xl_change": {"nl": "Verschil", "en": "Difference"},
    "xl_verdict": {"nl": "Oordeel", "en": "Verdict"},
    "xl_verdicts": {"nl": "Oordeel per dimensie", "en": "Verdict per dimension"},
    "xl_dimension": {"nl": "Dimensie", "en": "Dimension"},
    "xl_theme": {"nl": "Thema", "en": "Theme"},
    "xl_cell": {"nl": "Cel", "en": "Cell"},
    "xl_largest": {"nl": "Grootste verandering", "en": "Largest change"},
    "xl_relative": {"nl": "Relatieve verandering (+ beter)", "en": "Relative change (+ better)"},
    "xl_better": {"nl": "Beter", "en": "Better"},
    "xl_worse": {"nl": "Slechter", "en": "Worse"},
    "xl_changes": {"nl": "Anders dan standaard", "en": "Different from the default"},
    "xl_what": {"nl": "Wat", "en": "What"},
    "xl_default": {"nl": "Standaard", "en": "Default"},
    "xl_chosen": {"nl": "Gekozen", "en": "Chosen"},
    "xl_no_changes": {"nl": "Niets: het scenario zoals het is", "en": "Nothing: the scenario as it is"},
    "xl_lever": {"nl": "Ingreep: {what}", "en": "Intervention: {what}"},
    "xl_timing": {"nl": "Timing: {what}", "en": "Timing: {what}"},
    "xl_assumption": {"nl": "Aanname: {what}", "en": "Assumption: {what}"},
    "xl_model_edit": {"nl": "Eigen model: {what}", "en": "Own model: {what}"},
    # network
    "network_intro": {
        "nl": "Elke pijl is een oorzakelijk verband: + betekent 'meer geeft meer', − 'meer geeft minder'; "
        "‖ markeert een vertraging. Kleur = thema. Kies of klik een bouwblok om alleen zijn oorzaken en "
        "gevolgen te zien.",
        "en": "Every arrow is a causal link: + means 'more gives more', − 'more gives less'; ‖ marks a "
        "delay. Colour = theme. Pick or click a bouwblok to see only its causes and effects.",
    },
    "focus": {"nl": "Bouwblok", "en": "Bouwblok"},
    "all_nodes": {"nl": "(alle)", "en": "(all)"},
    "loop_type": {"nl": "soort", "en": "type"},
    "loop_gain": {"nl": "versterking per rondgang", "en": "gain per round"},
    "loop_path": {"nl": "lus", "en": "loop"},
    "loops": {"nl": "Terugkoppelingen", "en": "Feedback loops"},
    "no_loops": {
        "nl": "Dit model heeft geen terugkoppelingen.",
        "en": "This model has no feedback loops.",
    },
    "checks": {"nl": "Gedragstests", "en": "Behaviour tests"},
    "checks_intro": {
        "nl": "Uitspraken die het model waar moet maken (zoals Vensim's Reality Checks), uit de lijst checks: "
        "van het modelbestand; bwsim check draait ze ook op de opdrachtregel.",
        "en": "Statements the model must make true (as Vensim's Reality Checks), from the model file's checks: "
        "list; bwsim check runs them on the command line too.",
    },
    "no_checks": {
        "nl": "Dit model heeft geen gedragstests (een lijst checks: in het modelbestand, zie docs/formats.md).",
        "en": "This model has no behaviour tests (a checks: list in the model file, see docs/formats.md).",
    },
    "checks_ensemble": {
        "nl": "Ook over {n} runs met onzekere verbanden",
        "en": "Also over {n} runs with uncertain links",
    },
    "col_check": {"nl": "gedragstest", "en": "behaviour test"},
    "col_outcome": {"nl": "uitkomst", "en": "outcome"},
    "col_detail": {"nl": "wat besliste", "en": "what decided"},
    "col_share": {"nl": "aandeel runs", "en": "share of runs"},
    "check_holds": {"nl": "geldt", "en": "holds"},
    "check_fails": {"nl": "faalt", "en": "fails"},
    "checks_summary": {"nl": "{held} van {n} gedragstests gelden.", "en": "{held} of {n} behaviour tests hold."},
    "node_on_no_loop": {
        "nl": "{node} ligt op geen van de {n} terugkoppelingen van dit model.",
        "en": "{node} is on none of this model's {n} feedback loops.",
    },
    "node_loops": {
        "nl": "{node} ligt op {k} van de {n} terugkoppelingen van dit model:",
        "en": "{node} is on {k} of this model's {n} feedback loops:",
    },
    "tracing": {
        "nl": "Waar komt de verandering vandaan?",
        "en": "Where does the change come from?",
    },
    "tracing_help": {
        "nl": "De verandering van dit bouwblok in het gekozen jaar, per inkomend verband (in het huidige scenario).",
        "en": "The change of this bouwblok in the chosen year, by incoming link (in the current scenario).",
    },
    "causes": {"nl": "Oorzaken", "en": "Causes"},
    "trace_paths": {
        "nl": "Langs welke wegen (vanaf de ingrepen)",
        "en": "Along which paths (from the interventions)",
    },
    "path": {"nl": "Weg", "en": "Path"},
    "value": {"nl": "Bijdrage", "en": "Contribution"},
    "consequences": {"nl": "Gevolgen", "en": "Effects"},
    # compare
    "compare_intro": {
        "nl": "Zet toekomsten naast elkaar: scorekaarten, paden en de grootste verschillen.",
        "en": "Put futures side by side: scorecards, paths and the largest differences.",
    },
    "futures": {"nl": "Toekomsten", "en": "Futures"},
    "current_future": {"nl": "Uw toekomst (Toekomst bouwen)", "en": "Your future (Build a future)"},
    "unit": {"nl": "eenheid", "en": "unit"},
    "spread": {"nl": "verschil (%-punt van basis)", "en": "spread (%-points of baseline)"},
    "differences": {"nl": "Grootste verschillen", "en": "Largest differences"},
    "indicator": {"nl": "Indicator", "en": "Indicator"},
    "pick_two": {"nl": "Kies minstens één toekomst.", "en": "Pick at least one future."},
    # assumptions page
    "assumptions_intro": {
        "nl": "Pas gewichten, bandbreedtes en vertragingen van verbanden of het basispad van bouwblokken "
        "aan. Klik 'Toepassen': het model wordt gecontroleerd zoals `bwsim validate` dat doet.",
        "en": "Edit weights, ranges and lags of links or the baseline of bouwblokken. Click 'Apply': the "
        "model is checked as `bwsim validate` does.",
    },
    "links": {"nl": "Verbanden", "en": "Links"},
    "col_from": {"nl": "van", "en": "from"},
    "col_to": {"nl": "naar", "en": "to"},
    "col_low": {"nl": "laag", "en": "low"},
    "col_weight": {"nl": "gewicht", "en": "weight"},
    "col_score": {"nl": "scores van experts", "en": "expert scores"},
    "col_shape": {"nl": "vorm (niet-lineair)", "en": "shape (nonlinear)"},
    "col_high": {"nl": "hoog", "en": "high"},
    "col_lag": {"nl": "vertraging (jaar)", "en": "lag (years)"},
    "col_evidence": {"nl": "onderbouwing", "en": "evidence"},
    "col_delay": {"nl": "soort vertraging", "en": "delay type"},
    "col_label": {"nl": "bouwblok", "en": "bouwblok"},
    "col_unit": {"nl": "eenheid", "en": "unit"},
    "col_baseline": {"nl": "basispad (startwaarde)", "en": "baseline (start value)"},
    "col_min": {"nl": "minimum", "en": "minimum"},
    "col_max": {"nl": "maximum", "en": "maximum"},
    "preview": {"nl": "Uw toekomst met dit model", "en": "Your future with this model"},
    "model_in_use": {"nl": "Model in gebruik", "en": "Model in use"},
    "default_model": {"nl": "Standaardmodel", "en": "Default model"},
    "nodes": {"nl": "Bouwblokken", "en": "Bouwblokken"},
    "apply": {"nl": "Toepassen", "en": "Apply"},
    "edit_link": {"nl": "Verband {source} → {target}: ", "en": "Link {source} → {target}: "},
    "edit_node": {"nl": "Bouwblok {node}: ", "en": "Bouwblok {node}: "},
    "edit_weight_range": {
        "nl": "het gewicht moet tussen laag en hoog liggen; het is {weight}, laag is {low} en hoog is {high}.",
        "en": "the weight must lie between low and high; it is {weight}, low is {low} and high is {high}.",
    },
    "edit_low_high": {
        "nl": "laag ({low}) mag niet hoger zijn dan hoog ({high}).",
        "en": "low ({low}) must not be above high ({high}).",
    },
    "not_a_number": {
        "nl": "{column}: '{text}' is geen getal{hint}.",
        "en": "{column}: '{text}' is not a number{hint}.",
    },
    "not_a_number_hint": {"nl": " (bedoelt u {suggestion}?)", "en": " (did you mean {suggestion}?)"},
    "edit_lag": {
        "nl": "de vertraging ({lag} jaar) mag niet negatief zijn.",
        "en": "the lag ({lag} years) must not be negative.",
    },
    "edit_min_max": {
        "nl": "het minimum ({low}) mag niet hoger zijn dan het maximum ({high}).",
        "en": "the minimum ({low}) must not be above the maximum ({high}).",
    },
    "edit_refused": {
        "nl": "Niet toegepast; verbeter eerst deze rijen. Het model in gebruik blijft.",
        "en": "Not applied; correct these rows first. The model in use stays.",
    },
    "edit_nothing": {
        "nl": "Niets gewijzigd in de tabellen: het model in gebruik blijft zoals het is.",
        "en": "Nothing changed in the tables: the model in use stays as it is.",
    },
    "col_weight_unit": {"nl": "eenheid van het gewicht", "en": "unit of the weight"},
    "own_model_notice": {
        "nl": "U rekent met een eigen model (aangepast of geüpload), niet met het standaardmodel. "
        "Terug naar het standaardmodel: kies het in de zijbalk of op 'Eigen aannames'.",
        "en": "You are working with an own model (edited or uploaded), not the default model. "
        "Back to the default model: choose it in the sidebar or on 'Own assumptions'.",
    },
    "applied": {"nl": "Aangepast model is in gebruik.", "en": "The edited model is in use."},
    "back_to_default": {"nl": "Terug naar het standaardmodel", "en": "Back to the default model"},
    "upload": {
        "nl": "Model of scenario uploaden (YAML)",
        "en": "Upload a model or scenario (YAML)",
    },
    "upload_model_ok": {
        "nl": "Model '{name}' geladen en in gebruik.",
        "en": "Model '{name}' loaded and in use.",
    },
    "upload_scenario_ok": {
        "nl": "Scenario '{name}' geladen; kies het bij Toekomst bouwen.",
        "en": "Scenario '{name}' loaded; pick it in Build a future.",
    },
    "invalid": {
        "nl": "Niet gebruikt: het bestand klopt niet. Het vorige model blijft in gebruik.",
        "en": "Not used: the file is not valid. The previous model stays in use.",
    },
    "too_large": {
        "nl": "Het bestand is {size} groot; de grens is {limit}. Upload een kleiner bestand.",
        "en": "The file is {size}; the limit is {limit}. Upload a smaller file.",
    },
    "not_text": {
        "nl": "Dit is geen tekstbestand (UTF-8). Upload een YAML-bestand.",
        "en": "This is not a text file (UTF-8). Upload a YAML file.",
    },
    "download_model": {"nl": "Model downloaden (YAML)", "en": "Download model (YAML)"},
    "download_scenario": {"nl": "Scenario downloaden (YAML)", "en": "Download scenario (YAML)"},
    "nonlinear_baseline": {
        "nl": "alleen vaste getallen zijn hier te bewerken",
        "en": "only plain numbers can be edited here",
    },
    # export
    "export_intro": {
        "nl": "Neem de resultaten mee: tabellen, grafieken, het scenario en een link.",
        "en": "Take the results with you: tables, charts, the scenario and a link.",
    },
    "download_csv": {"nl": "Resultaten (CSV)", "en": "Results (CSV)"},
    "download_xlsx": {"nl": "Resultaten (Excel)", "en": "Results (Excel)"},
    "download_png": {"nl": "Grafiek (PNG)", "en": "Chart (PNG)"},
    "png_unavailable": {
        "nl": "PNG maken lukt hier niet ({reason}). Gebruik het camera-icoon boven de grafiek.",
        "en": "Making a PNG does not work here ({reason}). Use the camera icon above the chart.",
    },
    "chart": {"nl": "Grafiek", "en": "Chart"},
    "make_png": {"nl": "PNG maken", "en": "Make PNG"},
    "make_report": {"nl": "Rapport bij een raadsvoorstel maken", "en": "Make a report for a council proposal"},
    "download_report": {"nl": "Rapport (HTML)", "en": "Report (HTML)"},
    "report_runs": {"nl": "Aantal runs voor de banden", "en": "Number of runs for the bands"},
    "report_runs_help": {
        "nl": "Runs met onzekere aannames achter de 5-95 %-banden en de kansen in het rapport; 0: zonder banden.",
        "en": "Runs with uncertain assumptions behind the report's 5-95 % bands and chances; 0: without bands.",
    },
    "report_unavailable": {
        "nl": "Het rapport maken lukt hier niet: {reason}",
        "en": "Making the report does not work here: {reason}",
    },
    "share": {"nl": "Link om deze toekomst te delen", "en": "Link to share this future"},
    "share_help": {
        "nl": "Een collega op dezelfde server opent met deze link dezelfde toekomst.",
        "en": "A colleague on the same server opens the same future with this link.",
    },
    "share_carries_edits": {
        "nl": "De link neemt uw eigen aannames uit de tabel (gewichten, bandbreedtes, vertragingen, "
        "basiswaarden) mee als aanpassingen van het scenario.",
        "en": "The link carries your own assumptions from the table (weights, ranges, lags, baselines) as "
        "the scenario's overrides.",
    },
    "share_carries_model": {
        "nl": "De link noemt het gekozen model; uw collega heeft het op deze server.",
        "en": "The link names the chosen model; your colleague has it on this server.",
    },
    "share_carries_scenario": {
        "nl": "Het geüploade scenario reist mee in de link.",
        "en": "The uploaded scenario travels in the link.",
    },
    "share_lost": {
        "nl": "Niet alles past in een link: {what}. Download het model op 'Eigen aannames' en stuur het "
        "bestand mee; uw collega uploadt het daar.",
        "en": "Not everything fits in a link: {what}. Download the model on 'Own assumptions' and send the "
        "file along; your colleague uploads it there.",
    },
    "lost_network": {
        "nl": "een geüpload model met een ander netwerk (andere bouwblokken of verbanden)",
        "en": "an uploaded model with another network (other nodes or links)",
    },
    "lost_long": {
        "nl": "het scenario met uw aanpassingen (te groot voor een link)",
        "en": "the scenario with your changes (too large for a link)",
    },
    "lost_time": {"nl": "een andere tijdshorizon van het model", "en": "another time horizon of the model"},
    "lost_link": {"nl": "verband", "en": "link"},
    "lost_node": {"nl": "bouwblok", "en": "node"},
    "bad_link": {
        "nl": "De gedeelde link is ongeldig en kon niet gelezen worden ({reason}); u ziet het gewone scenario.",
        "en": "The shared link is invalid and could not be read ({reason}); you see the plain scenario.",
    },
    "link_too_long": {"nl": "te lang: {n} tekens", "en": "too long: {n} characters"},
    "link_damaged": {"nl": "beschadigd", "en": "damaged"},
    "link_too_large": {"nl": "de inhoud is te groot", "en": "its content is too large"},
    "link_too_deep": {"nl": "de inhoud is te diep genest", "en": "its content is nested too deeply"},
    "link_not_a_future": {"nl": "het beschrijft geen toekomst", "en": "it does not describe a future"},
    "link_bad_number": {
        "nl": "een waarde is geen eindig getal tussen -{limit} en {limit}",
        "en": "a value is not a finite number between -{limit} and {limit}",
    },
    "link_out_of_range": {
        "nl": "{what} = {value} ligt buiten het bereik {low} tot {high}",
        "en": "{what} = {value} lies outside the range {low} to {high}",
    },
    "link_unknown_model": {
        "nl": "het model '{model}' staat niet op deze server",
        "en": "the model '{model}' is not on this server",
    },
    "link_bad_scenario": {
        "nl": "het meegestuurde scenario past niet bij het model: {problems}",
        "en": "the scenario it carries does not fit the model: {problems}",
    },
    # link properties in words (network page)
    "delay_none": {"nl": "direct", "en": "immediate"},
    "delay_fixed": {"nl": "vast", "en": "fixed"},
    "delay_exponential": {"nl": "geleidelijk", "en": "gradual"},
    "delay_third_order": {"nl": "geleidelijk (3e orde)", "en": "gradual (3rd order)"},
    "evidence_data": {"nl": "data", "en": "data"},
    "evidence_literature": {"nl": "literatuur", "en": "literature"},
    "evidence_expert": {"nl": "expertoordeel", "en": "expert judgement"},
    # monitor (builder page)
    "monitor": {"nl": "Monitor: waarnemingen tegen de verwachting", "en": "Monitor: observations against expectation"},
    "monitor_help": {
        "nl": "Vallen de waarnemingen nog binnen wat dit scenario verwacht? De band is 5-95 % van {n} runs met "
        "onzekere aannames; punten buiten de band zijn rood.",
        "en": "Are the observations still inside what this scenario expects? The band is 5-95 % of {n} runs with "
        "uncertain assumptions; points outside the band are red.",
    },
    "monitor_no_band": {
        "nl": "Dit model heeft geen onzekere aannames: de verwachting is één lijn, het pad van het scenario.",
        "en": "This model has no uncertain assumptions: the expectation is one line, the scenario's path.",
    },
    "monitor_source": {"nl": "Waarnemingen", "en": "Observations"},
    "monitor_real": {"nl": "Echte CBS-cijfers (Parkstad)", "en": "Real CBS figures (Parkstad)"},
    "monitor_real_note": {
        "nl": "Echte cijfers van het CBS (data/parkstad-observed.csv), elke indicator in de eigen "
        "plaats van het model vanaf het begin van het scenario. De cijfers lopen tot 1-1-2025, het begin van de "
        "scenario's: ze toetsen de basispaden, nog niet het beleid.",
        "en": "Real CBS figures (data/parkstad-observed.csv), each indicator in the model's own place "
        "from the scenario's start on. They end at 1-1-2025, the scenarios' start: they test the baselines, not "
        "yet the policy.",
    },
    "monitor_sample": {"nl": "Voorbeelddata (illustratief)", "en": "Sample data (illustrative)"},
    "monitor_upload": {"nl": "Eigen CSV uploaden", "en": "Upload own CSV"},
    "monitor_sample_note": {
        "nl": "Illustratief: synthetische gegevens, door het model zelf gemaakt met ruis. Geen echte waarnemingen.",
        "en": "Illustrative: synthetic data, made by the model itself with noise. Not real observations.",
    },
    "monitor_upload_label": {
        "nl": "CSV met de kolommen node,time,value (optioneel region,source), tot 2 MB",
        "en": "CSV with the columns node,time,value (optionally region,source), up to 2 MB",
    },
    "monitor_no_file": {
        "nl": "Upload een CSV om de waarnemingen naast de verwachting te zien.",
        "en": "Upload a CSV to see the observations against the expectation.",
    },
    "monitor_bad_data": {
        "nl": "Deze waarnemingen passen niet bij het model:",
        "en": "These observations do not fit the model:",
    },
    "monitor_flagged": {"nl": "Buiten de band", "en": "Outside the band"},
    "monitor_all_inside": {
        "nl": "Alle {n} waarnemingen vallen binnen de verwachte band.",
        "en": "All {n} observations lie inside the expected band.",
    },
    "monitor_count": {
        "nl": "{k} van {n} waarnemingen vallen buiten de verwachte band.",
        "en": "{k} of {n} observations lie outside the expected band.",
    },
    "col_date": {"nl": "Datum", "en": "Date"},
    "col_observed": {"nl": "Waargenomen", "en": "Observed"},
    "col_band_low": {"nl": "Band van", "en": "Band from"},
    "col_band_high": {"nl": "Band tot", "en": "Band to"},
    "col_outside_by": {"nl": "Buiten met", "en": "Outside by"},
    "col_outside_pct": {"nl": "Buiten met (% van mediaan)", "en": "Outside by (% of median)"},
    "col_side": {"nl": "Kant", "en": "Side"},
    "above": {"nl": "erboven", "en": "above"},
    "below": {"nl": "eronder", "en": "below"},
    "legend_band": {"nl": "verwachte band (5-95 %)", "en": "expected band (5-95 %)"},
    "legend_median": {"nl": "mediaan", "en": "median"},
    "legend_path": {"nl": "pad van het scenario", "en": "scenario path"},
    "legend_inside": {"nl": "waargenomen, binnen", "en": "observed, inside"},
    "legend_outside": {"nl": "waargenomen, buiten", "en": "observed, outside"},
    # errors
    "input_error": {"nl": "Dat gaat niet: {message}", "en": "That does not work: {message}"},
    "numerical_error": {
        "nl": "De berekening liep uit de hand: {message}. Kies kleinere waarden of andere aannames.",
        "en": "The run blew up: {message}. Choose smaller values or other assumptions.",
    },
    "unexpected_error": {
        "nl": "Er ging iets mis op deze pagina ({kind}). Uw invoer is bewaard; ververs de pagina of "
        "ga terug naar het scenario.",
        "en": "Something went wrong on this page ({kind}). Your input is kept; reload the page or go "
        "back to the scenario.",
    },
    # places (a model with dimensions: the place picker, the tile map, the scorecard per place)
    "places_title": {"nl": "Per plaats", "en": "Per place"},
    "places_help": {
        "nl": "Elke tegel is een plaats, schematisch gelegd (geen echte kaart). De kleur is de verandering van "
        "de gekozen indicator ten opzichte van het basispad in het gekozen jaar: groen beter, rood slechter.",
        "en": "Each tile is a place, laid out schematically (not a real map). Its colour is the chosen "
        "indicator's change against the baseline in the chosen year: green better, red worse.",
    },
    "place_pick": {"nl": "Plaats", "en": "Place"},
    "place_indicator": {"nl": "Indicator op de kaart", "en": "Indicator on the map"},
    "place_map_title": {
        "nl": "{indicator}: verandering per plaats in {year}",
        "en": "{indicator}: change per place in {year}",
    },
    "place_better": {"nl": "beter", "en": "better"},
    "place_worse": {"nl": "slechter", "en": "worse"},
    "place_lower": {"nl": "lager", "en": "lower"},
    "place_higher": {"nl": "hoger", "en": "higher"},
    "place_same": {"nl": "gelijk", "en": "no change"},
    "place_card": {"nl": "Scorekaart {place}", "en": "Scorecard {place}"},
    "region_card": {"nl": "Scorekaart hele regio", "en": "Scorecard whole region"},
    "place_no_indicators": {"nl": "Geen indicatoren in deze plaats.", "en": "No indicators in this place."},
    # dimensions
    "hier_en_nu": {"nl": "hier en nu", "en": "hier en nu"},
    "later": {"nl": "later", "en": "later"},
    "elders": {"nl": "elders", "en": "elders"},
}


def t(key: str, language: str = "nl", **values: object) -> str:
    """The text of ``key`` in ``language``, formatted with ``values``."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    text = entry.get(language) or entry["nl"]
    return text.format(**values) if values else text


def problem_lines(exc: InputError, language: str = "nl") -> list[str]:
    """Every problem of ``exc`` as one line in ``language``: the same text as the command line prints.

    Messages of the core are translated with its catalog (``simulator.messages``); file names,
    places and values stay as they are. :func:`error_text` renders any simulator error likewise.
    """
    return [problem.render(language) for problem in exc.problems]


def theme_label(theme: str, language: str = "nl") -> str:
    """A theme's name from :mod:`simulator.themes`, capitalised: ``materiele_welvaart`` -> ``Materiële welvaart``.

    Dutch by default (the CBS terms); ``language="en"`` gives the English name.
    """
    text = theme_name(theme, language).strip()
    return text[:1].upper() + text[1:]
