"""What the two workshop pages share: their texts, the open store, error display.

Not a page itself. Text a group typed is never put into Markdown unescaped
(:mod:`simulator.app.plain_text`) and never into HTML: tables, ``st.text`` and ``st.code`` show it as typed.
"""

from __future__ import annotations

import streamlit as st

from simulator.app import plain_text, state
from simulator.errors import InputError, NumericalError, SimulatorError
from simulator.workshop.database import default_location
from simulator.workshop.store import WorkshopStore

GROUP_SESSION = "ws_group_session"
"""Session key of the workshop the session joined as a group: (join code, group name)."""

TEXT: dict[str, dict[str, str]] = {
    "group_title": {
        "nl": "Workshop: toekomst van onze groep",
        "en": "Workshop: our group's future",
    },
    "group_intro": {
        "nl": "Vul de code van de begeleider en de naam van uw groep in. Bouw een toekomst "
        "(ingrepen en "
        "eigen aannames), schrijf kort op wat u wilde weten en vond, en sla op. Elke keer opslaan "
        "maakt een nieuwe versie; niets gaat verloren.",
        "en": "Enter the facilitator's code and your group's name. Build a future "
        "(interventions and own "
        "assumptions), note briefly what you wanted to know and found, and save. Every save makes "
        "a new version; nothing is lost.",
    },
    "code": {"nl": "Workshopcode", "en": "Workshop code"},
    "group": {"nl": "Naam van de groep", "en": "Group name"},
    "join": {"nl": "Meedoen", "en": "Join"},
    "leave": {"nl": "Andere workshop of groep", "en": "Other workshop or group"},
    "joined": {"nl": "Workshop en groep", "en": "Workshop and group"},
    "start_from": {"nl": "Beginnen vanuit", "en": "Start from"},
    "load": {"nl": "In de editor zetten", "en": "Put in the editor"},
    "from_start": {"nl": "Startscenario", "en": "Start scenario"},
    "from_mine": {"nl": "Onze toekomst", "en": "Our future"},
    "from_builder": {
        "nl": "Wat ik bouwde op 'Toekomst bouwen'",
        "en": "What I built on 'Build a future'",
    },
    "future_name": {"nl": "Naam van de toekomst", "en": "Name of the future"},
    "scenario_yaml": {
        "nl": "De toekomst als scenario (ingrepen en eigen aannames, YAML)",
        "en": "The future as a scenario (interventions and own assumptions, YAML)",
    },
    "question": {"nl": "Onze vraag", "en": "Our question"},
    "expectation": {"nl": "Wat we verwachtten", "en": "What we expected"},
    "found": {"nl": "Wat we vonden", "en": "What we found"},
    "decision": {"nl": "Wat we zouden besluiten", "en": "What we would decide"},
    "save": {"nl": "Opslaan als nieuwe versie", "en": "Save as a new version"},
    "saved": {"nl": "Opgeslagen als versie {version}.", "en": "Saved as version {version}."},
    "preview": {"nl": "Voorproefje", "en": "Preview"},
    "indicator": {"nl": "Indicator", "en": "Indicator"},
    "history": {"nl": "Geschiedenis", "en": "History"},
    "no_futures": {"nl": "Nog geen opgeslagen toekomsten.", "en": "No saved futures yet."},
    "version": {"nl": "Versie", "en": "Version"},
    "model_changed": {
        "nl": "Het model van de workshop is veranderd sinds deze versie. Hieronder beide uitkomsten.",
        "en": "The workshop's model changed since this version. Both results are shown below.",
    },
    "model_changes": {
        "nl": "Wat er aan het model veranderde sinds deze versie",
        "en": "What changed in the model since this version",
    },
    "fac_model_changes": {
        "nl": "Het model veranderde sinds toekomsten met model {sha} werden opgeslagen: wat er veranderde",
        "en": "The model changed since futures were saved with model {sha}: what changed",
    },
    "made_with": {"nl": "Met het model van toen", "en": "With the model of then"},
    "with_current": {"nl": "Met het huidige model", "en": "With the current model"},
    "fac_title": {"nl": "Workshop: begeleider", "en": "Workshop: facilitator"},
    "create": {"nl": "Workshop aanmaken", "en": "Create a workshop"},
    "ws_name": {"nl": "Naam van de workshop", "en": "Workshop name"},
    "start_scenarios": {"nl": "Startscenario's", "en": "Start scenarios"},
    "created": {
        "nl": "Workshop aangemaakt. Code voor de groepen:",
        "en": "Workshop created. Code for the groups:",
    },
    "import": {"nl": "Workshop importeren (JSON)", "en": "Import a workshop (JSON)"},
    "imported": {"nl": "Geïmporteerd. Code:", "en": "Imported. Code:"},
    "compare": {"nl": "Toekomsten naast elkaar", "en": "Futures side by side"},
    "open": {"nl": "Openen", "en": "Open"},
    "groups": {"nl": "Groepen", "en": "Groups"},
    "outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "futures": {"nl": "De uitkomst per toekomst (laatste versie)", "en": "The outcome per future (latest version)"},
    "fac_scorecards": {"nl": "Scorekaarten naast elkaar ({year})", "en": "Scorecards side by side ({year})"},
    "fac_scorecards_help": {
        "nl": "Per thema en dimensie: groen = beter, rood = slechter, oranje = gemengd (iets beter én iets "
        "slechter), grijs = gelijk, wit = geen indicator; ▲ aantal indicatoren dat verbetert, ▼ dat "
        "verslechtert. Een zwart kader: hier verschillen de toekomsten.",
        "en": "Per theme and dimension: green = better, red = worse, orange = mixed (some better and some "
        "worse), grey = level, white = no indicator; ▲ number of indicators improving, ▼ worsening. "
        "A black frame: here the futures differ.",
    },
    "disputes_table": {"nl": "Alle betwiste verbanden als tabel", "en": "All disputed links as a table"},
    "computed_at": {
        "nl": "Toekomsten doorgerekend om {time}; een andere uitkomst of een ander jaar rekent niet opnieuw.",
        "en": "Futures run at {time}; another outcome or year does not run them again.",
    },
    "dimensions": {
        "nl": "Scorekaart per dimensie (▲ beter, ▼ slechter)",
        "en": "Scorecard per dimension (▲ better, ▼ worse)",
    },
    "indicators": {"nl": "Indicatoren", "en": "Indicators"},
    "paths": {"nl": "De toekomsten over de tijd", "en": "The futures over time"},
    "interventions": {
        "nl": "Ingrepen: wat is gedeeld, wat verschilt",
        "en": "Interventions: shared and different",
    },
    "disputes": {
        "nl": "Aannames waarover groepen het oneens zijn",
        "en": "Assumptions the groups disagree on",
    },
    "disputes_help": {
        "nl": "De referentietoekomst wordt opnieuw doorgerekend met het verband op de waarde "
        "van elke groep; het verschil is hoe ver de uitkomst dan uiteenloopt (in de eenheid van de uitkomst).",
        "en": "The reference future is re-run with the link at each group's value; the spread is how far the "
        "outcome then moves apart (in the outcome's unit).",
    },
    "reference": {"nl": "Referentietoekomst", "en": "Reference future"},
    "no_disputes": {
        "nl": "De groepen zijn het over alle verbanden eens.",
        "en": "The groups agree on every link.",
    },
    "notes": {"nl": "Wat de groepen opschreven", "en": "What the groups wrote"},
    "export": {"nl": "Hele workshop exporteren (JSON)", "en": "Export the whole workshop (JSON)"},
    "baseline": {"nl": "Basispad", "en": "Baseline"},
    "nothing_yet": {
        "nl": "Nog geen toekomsten opgeslagen in deze workshop.",
        "en": "No futures saved in this workshop yet.",
    },
    "db": {"nl": "Database", "en": "Database"},
    "build_there": {
        "nl": "Bouw uw toekomst op 'Toekomst bouwen' en sla hem daar op met 'Opslaan in mijn workshop': "
        "dan wordt precies opgeslagen wat u daar ziet.",
        "en": "Build your future on 'Build a future' and save it there with 'Save to my workshop': "
        "exactly what you see there is saved.",
    },
    "to_workshop": {"nl": "Opslaan in mijn workshop", "en": "Save to my workshop"},
    "to_workshop_help": {
        "nl": "Dit wordt opgeslagen, precies zoals het hierboven staat:",
        "en": "This is what will be saved, exactly as set above:",
    },
    "save_to_workshop": {"nl": "Opslaan in mijn workshop", "en": "Save to my workshop"},
    "words_levers": {"nl": "Ingrepen", "en": "Interventions"},
    "words_assumptions": {"nl": "Gewijzigde aannames", "en": "Changed assumptions"},
    "nothing_to_save": {
        "nl": "Geen ingrepen en geen gewijzigde aannames: dit is het basispad.",
        "en": "No interventions and no changed assumptions: this is the baseline.",
    },
    "what_is_saved": {"nl": "Wat u opslaat", "en": "What you save"},
    "yaml_box": {
        "nl": "De toekomst als scenariotekst (YAML) bekijken of bewerken",
        "en": "See or edit the future as scenario text (YAML)",
    },
    "not_valid_yet": {
        "nl": "Deze tekst is (nog) geen geldig scenario voor het model van de workshop; "
        "bij 'Opslaan' ziet u waar het aan ligt.",
        "en": "This text is not (yet) a valid scenario on the workshop's model; 'Save' tells you where.",
    },
    "name_needed": {
        "nl": "Geef de toekomst eerst een naam.",
        "en": "Give the future a name first.",
    },
    "cannot_save_model": {
        "nl": "Deze toekomst kan niet in de workshop worden opgeslagen: het model op deze pagina verschilt "
        "van het model van de workshop ({model}) op punten die een scenario niet kan meenemen: {lost}. "
        "Kies in de zijbalk het model van de workshop.",
        "en": "This future cannot be saved to the workshop: the model on this page differs from the "
        "workshop's model ({model}) in ways a scenario cannot carry: {lost}. "
        "Choose the workshop's model in the sidebar.",
    },
    "saved_checked": {
        "nl": "Opgeslagen in de workshop als '{future}', versie {version}. Nagelezen: de opgeslagen "
        "toekomst geeft dezelfde getallen als deze pagina.",
        "en": "Saved to the workshop as '{future}', version {version}. Read back: the stored future "
        "gives the same numbers as this page.",
    },
    "saved_differs": {
        "nl": "Versie {version} is opgeslagen, maar wijkt af van wat u ziet. Ga er niet van uit dat deze "
        "versie uw toekomst is; sla opnieuw op of meld het de begeleider. Wat afwijkt:",
        "en": "Version {version} was stored but differs from what you see. Do not take it for your "
        "future; save again or tell the facilitator. What differs:",
    },
    "differs_missing": {
        "nl": "de versie is niet terug te vinden",
        "en": "the version cannot be found",
    },
    "differs_text": {"nl": "de scenariotekst", "en": "the scenario text"},
    "differs_notes": {"nl": "de aantekeningen", "en": "the notes"},
    "differs_checksum": {
        "nl": "de controlesom klopt niet met de inhoud",
        "en": "the checksum does not match the content",
    },
    "differs_run": {
        "nl": "de opgeslagen toekomst loopt niet op het model van de workshop",
        "en": "the stored future does not run on the workshop's model",
    },
    "differs_numbers": {
        "nl": "de opgeslagen toekomst geeft andere getallen dan deze pagina",
        "en": "the stored future gives other numbers than this page",
    },
    "future_failed": {
        "nl": "De toekomst {future} kon niet worden doorgerekend ({reason}); de andere toekomsten staan hieronder.",
        "en": "The future {future} could not be run ({reason}); the other futures are shown below.",
    },
}


def tx(key: str, **values: object) -> str:
    """A workshop text in the current language."""
    entry = TEXT.get(key, {})
    text = entry.get(state.language()) or entry.get("nl") or key
    return text.format(**values) if values else text


@st.cache_resource(show_spinner=False)
def _store(location: str) -> WorkshopStore:
    return WorkshopStore(location)


def open_store() -> WorkshopStore | None:
    """The workshop database of this server (``BWSIM_WORKSHOP_DB``); None after showing why not."""
    try:
        return _store(default_location())
    except InputError as exc:
        show_error(exc)
        return None


def show_error(exc: BaseException) -> None:
    """An error as escaped text (it may quote what a group typed); never a traceback."""
    if isinstance(exc, InputError):
        st.error(plain_text.markdown_lines(exc.problems))
    elif isinstance(exc, (NumericalError, SimulatorError)):
        st.error(plain_text.markdown(exc))
    else:
        state.show_error(exc)
