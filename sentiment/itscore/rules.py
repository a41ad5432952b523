"""Phrase rules: what a word lexicon cannot express.

Each rule is a regular expression over the cleaned text. Its match is replaced by one
synthetic token that carries the rule's valence into VADER's sentence arithmetic (so
"but", punctuation emphasis and the compound normalisation still apply to it), and that
`explain()` maps back to the rule's name.

kinds:
  "fixed"    always applies, with the given valence;
  "request"  applies only when the text is a request (a politeness "thanks" is not praise);
  "report"   applies only when the text is not a request (durations, problem nouns);
  "sarcasm"  a positive word used ironically: negative when the text reports a failure
             (some other contribution is negative), else the word's own VADER valence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RULES_VERSION = "7"

_NEG = (
    r"(?:not|never|no\s+longer|isn'?t|aren'?t|wasn'?t|weren'?t|doesn'?t|don'?t|didn'?t|"
    r"won'?t|wouldn'?t|can'?t|cannot|can\s+not|couldn'?t|does\s+not|do\s+not|did\s+not|"
    r"will\s+not|would\s+not|unable\s+to|fails?\s+to|failed\s+to|failing\s+to|"
    r"no(?:body|\s+one)\s+(?:can|could))"
)
_ACTION = (
    r"(?:(?:log\s?in|log\s+on|login|logon|sign\s?in|sign\s+on)(?:s|ed)?|"
    r"(?:connect|open|print|start|load|boot|send|sync|launch|install|reach|download|upload|"
    r"authenticate|receive|respond)(?:s|ed|es)?|access(?:es|ed)?|"
    r"get\s+(?:in|into|on|onto|through|access|past)|turn\s+on|power\s+on|"
    r"be\s+(?:opened|accessed|reached|found|installed)|"
    # v5: more of what devices and services fail to do
    r"(?:charge|pair|mount|play|display|scan|join|render|refresh|ring|wake|detect|register|"
    r"dial|unlock|submit|export|attach|stream|show)(?:s|ed|es)?|"
    # v6: what people and tools fail to do for the user
    r"(?:answer|help)(?:s|ed)?|"
    r"recogni[sz]e[sd]?|accepts?|accepted|let\s+(?:me|us)|stay\s+(?:connected|on|online|logged\s+in|awake)|"
    r"power\s+up|start\s+up|come\s+on|show\s+up|hear|"
    # v7: batteries that do not last, a charge not held
    r"last(?:s)?(?=\s+(?:a|the|more|longer|through|until|till|past|beyond|all|even|half|long)\b)|"
    r"hold\s+(?:a\s+)?charge)"
)
_FAILING = (
    r"(?:crashing|freezing|failing|dropping(?:\s+out)?|disconnecting|restarting|rebooting|"
    r"hanging|timing\s+out|logging\s+(?:me\s+)?(?:out|off)|kicking\s+me\s+(?:out|off)|"
    r"locking(?:\s+me)?(?:\s+out)?|losing|breaking|erroring(?:\s+out)?|going\s+(?:down|offline)|"
    r"cutting\s+out|shutting\s+(?:down|off)|jamming|lagging|buffering|spinning|glitching|"
    r"getting\s+(?:stuck|errors?|logged\s+out|kicked\s+out|locked\s+out|disconnected|"
    r"the\s+same\s+error)|happening|popping\s+up|coming\s+back|asking\s+(?:me\s+|us\s+)?for|"
    r"asking\s+(?:me\s+|us\s+)?to\s+(?:sign|log|re-?enter|reset|restart|update|verify|"
    r"re-?authenticate|authenticate|accept|install|enter|type)|"
    r"prompting)"
)
_POSWORD = r"(?:great|wonderful|fantastic|brilliant|perfect|lovely|awesome|excellent|super|nice|marvell?ous|terrific|amazing|outstanding|splendid|fabulous)"
_COUNT = (
    r"(?:\d+\+?|two|three|four|five|six|seven|eight|several|many|countless|multiple|a\s+few|24|48)"
)


# Devices and services: gates generic failure rules to texts about IT.
_DEVICE_WORDS = (
    "laptop|laptops|printer|printers|vpn|wifi|wi-fi|monitor|monitors|screen|screens|headset|"
    "mouse|keyboard|trackpad|touchpad|dock|docking|phone|teams|zoom|outlook|email|e-mail|"
    "sharepoint|onedrive|sap|crm|erp|portal|button|camera|webcam|mic|microphone|speaker|charger|"
    "battery|badge|scanner|projector|server|network|account|password|login|device|pc|computer|"
    "tablet|ipad|driver|calendar|mailbox|drive|folder|dashboard|intranet|slack|jira|excel|word|"
    "browser|chrome|edge|mfa|authenticator|citrix|desktop|machine|it|"
    # v7: software and services
    "system|systems|app|apps|application|software|tool|site|website|platform|database|page|link|"
    "guide|form|module|workflow|search|handheld|handhelds|pager|terminal|till|kiosk"
)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    valence: float
    # cheap pre-filter on the set of lower-cased words: each group must share a word with it
    needles: tuple[frozenset[str], ...]
    kind: str = "fixed"
    # cheaper still: when set, the lower-cased text must contain one of these substrings
    gate: tuple[str, ...] = ()


def _r(
    name: str,
    pattern: str,
    valence: float,
    needles: str,
    kind: str = "fixed",
    gate: tuple[str, ...] = (),
) -> Rule:
    groups = tuple(frozenset(g.split("|")) for g in needles.split(" + ")) if needles else ()
    return Rule(name, re.compile(pattern, re.I), valence, groups, kind, gate)


def _quoted(words: str) -> str:
    """Needles for words that may carry a single quote: 'scheduled' is one word to the
    pre-filter, so each word also counts with a quote on either side."""
    return "|".join(f"{w}|'{w}|{w}'|'{w}'" for w in words.split("|"))


_NEG_WORDS = (
    "not|never|longer|isn't|isnt|aren't|arent|wasn't|wasnt|weren't|werent|doesn't|doesnt|don't|"
    "dont|didn't|didnt|won't|wont|wouldn't|wouldnt|can't|cant|cannot|couldn't|couldnt|unable|"
    "fail|fails|failed|failing|nobody|one"
)
_ACTION_WORDS = (
    "|".join(
        f"{w}|{w}s|{w}ed|{w}es"
        for w in (
            "log login logon sign signin connect access open print start load boot send sync launch "
            "install reach download upload authenticate receive respond charge pair mount play "
            "display scan join render refresh ring wake detect register dial unlock submit export "
            "attach stream show accept answer help"
        ).split()
    )
    + "|get|turn|power|be|logged|signed|recognise|recognize|recognised|recognized|let|stay|come|hear"
    + "|last|lasts|hold"
)
_POS_WORDS = "great|wonderful|fantastic|brilliant|perfect|lovely|awesome|excellent|super|nice|marvellous|marvelous|terrific|amazing|outstanding|splendid|fabulous"


# Order matters: earlier rules consume their text first.
RULES: tuple[Rule, ...] = (
    # --- sarcasm and mock thanks ---
    _r(
        "thanks for nothing",
        r"\bthanks?\s+(?:you\s+)?(?:again\s+)?for\s+(?:nothing|wasting\s+my\s+time|breaking\s+\w+|the\s+(?:outage|downtime|runaround|delay|hassle|headache)|(?:leaving|losing|ruining|ignoring|stranding|cancell?ing|delaying|overcharging|charging|not)\b|making\s+(?:me|us)\s+(?:wait|miss|pay|late|sit|stand)\b)",
        -2.5,
        "thanks|thank + nothing|wasting|breaking|outage|downtime|runaround|delay|hassle|headache|leaving|losing|ruining|ignoring|stranding|cancelling|canceling|delaying|overcharging|charging|not|making",
    ),
    _r(
        "thanks for fixing my problem",
        r"\b(?:thanks?|thank\s+you|cheers|appreciate\s+(?:you|it|the\s+help))\s+(?:so\s+much\s+|very\s+much\s+|a\s+lot\s+|again\s+)?(?:for\s+)?(?:quickly\s+)?(?:looking|looked|fixing|sorting|solving|resolving|handling|dealing|helping|taking\s+care)\s+(?:at|into|with|of|out|me\s+with|us\s+with)?\s*(?:my|the|our|this|that|his|her)\s+(?:\w+\s+){0,2}?(?:issues?|problems?|errors?|bugs?|glitch(?:es)?|outage|crash(?:es)?)\b",
        2.2,
        "issue|issues|problem|problems|error|errors|bug|bugs|glitch|glitches|outage|crash|crashes"
        " + thanks|thank|cheers|appreciate",
    ),
    _r(
        "oh great (sarcasm)",
        r"\b(?:oh|ah|wow|yay|hooray|yeah)[\s,!.]+" + _POSWORD + r"\b",
        3.1,
        "oh|ah|wow|yay|hooray|yeah + " + _POS_WORDS,
        "sarcasm",
    ),
    _r(
        "oh great (sarcasm)",
        r"\bwhat\s+an?\s+"
        + _POSWORD
        + r"\s+(?=(?:start|way\s+to\s+start|morning|monday|day|week|surprise)\b)",
        3.1,
        "what + " + _POS_WORDS + " + start|way|morning|monday|day|week|surprise",
        "sarcasm",
    ),
    _r(
        "oh great (sarcasm)",
        r"\bjust\s+" + _POSWORD + r"\b(?=\s*[.!,]|\s*$)",
        3.1,
        "just + " + _POS_WORDS,
        "sarcasm",
    ),
    _r(
        "oh great (sarcasm)",
        r"\b(?:(?:gotta|got\s+to|i\s+just|just|i)\s+)?love\s+(?:it\s+)?(?:how|when)\b",
        3.1,
        "love + how|when",
        "sarcasm",
    ),
    _r(
        "great, another (sarcasm)",
        r"(?:^|(?<=[.!?]))\s*"
        + _POSWORD
        + r"(?:\s+(?:job|work|stuff|one|going)(?:\s+(?:it|team|guys|folks|everyone|again))?)?"
        + r"\s*[,.!]+(?=\s+(?:another|again|the|my|our|it|its|it's|now|so|more|that|this|all)\b)",
        3.1,
        _POS_WORDS,
        "sarcasm",
    ),
    _r("thanks a lot (sarcasm)", r"\bthanks\s+a\s+lot\b", 1.9, "thanks + lot", "sarcasm"),
    # v7: ironic praise that needs a failure (or a second ironic marker) to read as irony
    _r(
        "just what we needed (sarcasm)",
        r"\b(?:exactly|just|precisely)\s+what\s+(?:i|we|you|everyone|everybody|the\s+\w+|[a-z]+)\s+"
        r"(?:needed|wanted|need|want|was\s+hoping\s+for|were\s+hoping\s+for)\b",
        2.0,
        "exactly|just|precisely + what + needed|wanted|need|want|hoping",
        "sarcasm",
    ),
    _r(
        "brilliant planning (sarcasm)",
        r"\b(?:brilliant|great|excellent|impeccable|perfect|superb|fantastic|amazing|stellar|genius|"
        r"outstanding|wonderful|lovely|nice|good)\s+(?:planning|timing|forward\s+planning|decision|"
        r"decision-making|idea|move|thinking|scheduling)\b(?:\s+as\s+(?:always|usual|ever))?"
        r"|\b(?:" + _POSWORD[3:-1] + r"|good|impeccable|stellar)\s+as\s+(?:always|usual|ever)\b"
        r"|\breal\s+time[\s-]?saver\b|\breally\s+helps\s+(?:productivity|morale|my\s+workflow)\b"
        r"|\b(?:really\s+|truly\s+)?makes?\s+(?:me|us)\s+feel\s+(?:so\s+|very\s+|really\s+)?"
        r"(?:secure|safe|valued|special|appreciated|important|productive|heard|supported|loved)\b",
        2.0,
        "planning|timing|decision|decision-making|idea|move|thinking|scheduling|always|"
        "usual|ever|saver|time-saver|timesaver|productivity|morale|workflow|feel + "
        + _POS_WORDS
        + "|good|impeccable|stellar|genius|outstanding|superb|real|really|truly|makes|make|helps",
        "sarcasm",
    ),
    _r(
        "love waiting (sarcasm)",
        r"\b(?:love|loving|enjoy|enjoying|adore|nothing\s+(?:like|better\s+than))\s+(?:it\s+when\s+)?(?:waiting|having\s+to|being\s+(?:kicked|logged|locked|put|told|ignored|disconnected|cut\s+off|asked\s+to|forced\s+to|made\s+to|sent|bounced|transferred|redirected|prompted)|getting\s+(?:kicked|logged|locked|disconnected|errors?|ignored|cut\s+off)|spending\s+(?:hours|an\s+hour|all|half|the\s+whole|my)|sitting\s+(?:on|in|through)|re-?entering|resetting|rebooting|restarting|chasing|losing)\b",
        -1.8,
        "love|loving|enjoy|enjoying|adore|like|better + waiting|having|being|getting|spending|"
        "sitting|re-entering|reentering|resetting|rebooting|restarting|chasing|losing",
    ),
    # --- v7: families from the blind rounds of 2026-11-24 (early: they consume text the
    # later rules would misread) ---
    # A whole answer that says "nothing to say" is neutral ("No comment.", "None.").
    _r(
        "nothing to add (answer)",
        r"^\s*(?:no|none|nothing|nope|nil|n/?a)\b(?:[\s,]+(?:comments?|feedback|suggestions?|further|"
        r"more|else|really|thanks|thank\s+you|at\s+(?:this|the\s+moment)|time|for\s+now|from\s+me|in\s+particular|"
        r"specific|to\s+(?:add|say|report|mention)|other|additional|issues?\s+to\s+report))*\s*[.!]*\s*$",
        0.0,
        "no|none|nothing|nope|nil|n/a|na|n",
    ),
    # An acknowledgement with thanks is politeness, not praise ("Noted, thanks.").
    _r(
        "noted, thanks (acknowledgement)",
        r"^\s*(?:noted|ok|okay|got\s+it|understood|received|will\s+do|acknowledged|sure)[\s,.!]+"
        r"(?:thanks|thank\s+you|thx|cheers|ta)\s*[.!]*\s*$",
        0.0,
        "noted|ok|okay|got|understood|received|will|acknowledged|sure",
    ),
    # A department, ward or case type named after a sad thing is not sadness ("the Fraud
    # team", "Emergency Department", "sick leave", "Litigation partners").
    _r(
        "department name (not emotion)",
        r"\b(?:litigation|fraud|complaints?|risk|emergency|debt|disputes?|crisis|trauma|cancer|grief|"
        r"safeguarding|critical\s+care|pain|death|abuse|crime|victims?|injury|accident(?:\s+(?:and|&)\s+"
        r"emergency)?|damage|loss|liability|penalty|fire|waste|benefits|care|justice|criminal|casualty|"
        r"poverty|unemployment|sick(?:ness)?|illness|stress|homelessness|wealth|aml)\s+(?:and\s+\w+\s+)?"
        r"(?:team|teams|department|dept|unit|ward|wards|office|desk|group|partners?|lawyers?|associates?|"
        r"services?|clinic|centre|center|nurses?|staff|handlers?|queue|inbox|mailbox|system|portal|module|"
        r"register|log|logs|case|cases|claims?|matters?|files?|records?|reports?|forms?|collections?|"
        r"management|assessments?|certificates?|notices?|homes?|workers?|officers?|safety|leave|pay|cover|"
        r"adjusters?|polic(?:y|ies)|calls?|tickets?|screening|analytics|models?|data|database|tests?|"
        r"testing|alarms?|drills?|doors?|exits?|plans?|planning|recovery|handling|admin|line|lines|"
        r"providers?|channel|channels|sites?|visits?|packages?)\b",
        0.0,
        "litigation|fraud|complaint|complaints|risk|emergency|debt|dispute|disputes|crisis|trauma|"
        "cancer|grief|safeguarding|critical|pain|death|abuse|crime|victim|victims|injury|accident|"
        "damage|loss|liability|penalty|fire|waste|benefits|care|justice|criminal|casualty|poverty|"
        "unemployment|sick|sickness|illness|stress|homelessness|wealth|aml + and|team|teams|"
        "department|dept|unit|ward|wards|office|desk|group|partner|partners|lawyer|lawyers|associate|"
        "associates|service|services|clinic|centre|center|nurse|nurses|staff|handler|handlers|queue|"
        "inbox|mailbox|system|portal|module|register|log|logs|case|cases|claim|claims|matter|matters|"
        "file|files|record|records|report|reports|form|forms|collection|collections|management|"
        "assessment|assessments|certificate|certificates|notice|notices|home|homes|worker|workers|"
        "officer|officers|safety|leave|pay|cover|adjuster|adjusters|policy|policies|call|calls|"
        "ticket|tickets|screening|analytics|model|models|data|database|test|tests|testing|alarm|"
        "alarms|drill|drills|door|doors|exit|exits|plan|plans|planning|recovery|handling|admin|line|"
        "lines|provider|providers|channel|channels|site|sites|visit|visits|package|packages",
    ),
    # Hospital and office nouns that VADER reads as feelings: a patient (not patience), a
    # WOW (workstation on wheels).
    _r(
        "patient, WOW (nouns)",
        r"\b(?:the|a|an|each|every|this|that|my|our|your|per|one|two|\d+|of|to|for|on|with|new)\s+"
        r"(?:patients?|wows?)\b|\bpatients\b|\bpatient(?='s\b|\s+(?!(?:and|with|enough|when|about|as|"
        r"throughout|while|but|to|in|of|on|all|the|at|for|or|during)\b|[a-z]+ing\b)[a-z])|\bwows?(?=\s+\d)",
        0.0,
        "patient|patients|patient's|wow|wows",
    ),
    # "can't run X and Y without freezing": the "without" is the failure, not its absence.
    _r(
        "can't without failing",
        r"\b(?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to)\s+(?:[\w'-]+\s+){1,10}?without\s+"
        r"(?:it\s+|them\s+|the\s+\w+\s+)?(?:crashing|freezing|hanging|failing|dropping|lagging|"
        r"disconnecting|restarting|rebooting|erroring|locking\s+up|slowing\s+down|timing\s+out|"
        r"grinding|stuttering|logging\s+(?:me\s+)?out|kicking\s+(?:me\s+)?out)\b",
        -1.8,
        "without + can't|cant|cannot|can|couldn't|couldnt|unable",
    ),
    # "no problems until the update": the problem started then.
    _r(
        "no problems until (relapse)",
        r"\b(?:no|never\s+had\s+(?:any|a)|(?:didn'?t|did\s+not|haven'?t|hadn'?t)\s+(?:have|had)\s+(?:any|a))\s+"
        r"(?:[\w-]+\s+)?(?:problems?|issues?|errors?|trouble|crash(?:es)?|complaints?)\s+(?:[\w-]+\s+){0,3}?"
        r"(?:until|till|before)\b",
        -1.6,
        "until|till|before + problem|problems|issue|issues|error|errors|trouble|crash|crashes|"
        "complaint|complaints",
    ),
    # The absence of a problem is praise: "no more blue screens", "not a single issue
    # since", "haven't had a single Wi-Fi problem since", unless it then came back.
    _r(
        "no more problems (negated problem)",
        r"\bno\s+more\s+" + _FAILING + r"|"
        r"\b(?:no\s+more|not\s+(?:a\s+single|one|once\s+had\s+an?)|zero|without\s+a\s+single|"
        r"(?:haven'?t|hasn'?t|have\s+not|has\s+not|didn'?t|did\s+not|never|hadn'?t)\s+(?:once\s+|even\s+|yet\s+)?"
        r"(?:had|have|seen|noticed|got|gotten|experienced|hit|needed)\s+(?:a\s+single|any|one|a|an|the|"
        r"another|more)(?:\s+(?:more|further))?)\s+(?:[\w-]+\s+){0,2}?(?:problems?|issues?|errors?|"
        r"crash(?:es)?|blue\s+screens?|bsods?|loops?|outages?|glitch(?:es)?|hiccups?|complaints?|"
        r"drop-?outs?|dropped\s+calls?|disconnect(?:ion)?s?|jams?|freezes|freeze-?ups?|downtime|lag|"
        r"bugs?|faults?|headaches?|hassle|drama|fuss|failures?|incidents?|interruptions?|lockouts?|"
        r"timeouts?|pop-?ups|waiting|queues?|delays?|tickets?\s+(?:about|for|on)|trouble|"
        r"password\s+resets?|reboots|restarts|spinning\s+wheels?|error\s+messages?)\b"
        r"(?![^.!?]{0,20}\b(?:until|till|before|except|apart\s+from|but|other\s+than|yet)\b)",
        1.8,
        "more|single|one|once|zero|haven't|havent|hasn't|hasnt|have|has|didn't|didnt|did|never|hadn't"
        " + problem|problems|issue|issues|error|errors|crash|crashes|screen|screens|bsod|bsods|loop|"
        "loops|outage|outages|glitch|glitches|hiccup|hiccups|complaint|complaints|dropout|dropouts|"
        "drop-out|drop-outs|calls|call|disconnect|disconnects|disconnection|disconnections|jam|jams|"
        "freezes|freeze-up|freeze-ups|freezeup|freezeups|downtime|lag|bug|bugs|fault|faults|headache|"
        "headaches|hassle|drama|fuss|failure|failures|incident|incidents|interruption|interruptions|"
        "lockout|lockouts|timeout|timeouts|popups|pop-ups|waiting|queue|queues|delay|delays|tickets|"
        "ticket|trouble|resets|reboots|restarts|wheel|wheels|messages|crashing|freezing|failing|"
        "dropping|disconnecting|restarting|rebooting|hanging|timing|logging|kicking|locking|losing|"
        "breaking|erroring|going|cutting|shutting|jamming|lagging|buffering|spinning|glitching|getting|"
        "happening|popping|coming|asking|prompting + no|not|zero|without|haven't|havent|hasn't|"
        "hasnt|didn't|didnt|never|hadn't|hadnt",
    ),
    _r(
        "hasn't failed since (negated failure)",
        r"\b(?:hasn'?t|haven'?t|has\s+not|have\s+not|hadn'?t|didn'?t|did\s+not|never|not)\s+(?:once\s+|even\s+|yet\s+|really\s+)?"
        r"(?:jammed|crashed|dropped(?:\s+out)?|frozen|froze|failed|disconnected|hung|gone\s+(?:down|offline)|"
        r"went\s+(?:down|offline)|logged\s+(?:me\s+|us\s+)?out|kicked\s+(?:me\s+|us\s+)?out|"
        r"locked\s+(?:me\s+|us\s+)?out|(?:skipped|missed)\s+a\s+beat|glitched|lagged|timed\s+out|"
        r"broken(?:\s+down)?|broke(?:\s+down)?|blue[-\s]?screened|cut\s+out|played\s+up|acted\s+up|"
        r"given\s+(?:me\s+|us\s+)?(?:any\s+)?(?:trouble|problems|issues|grief)|"
        r"caused\s+(?:any\s+|a\s+single\s+)?(?:trouble|problems?|issues?)|let\s+(?:me|us)\s+down|"
        r"missed\s+(?:a\s+single|an?|one)\s+\w+|lost\s+(?:a\s+single|an?|one|any)\s+\w+|"
        r"crash|jam|drop|freeze|fail|glitch|lag)\b"
        r"(?=[^.!?]{0,25}\b(?:since|once|again|at\s+all|anymore|any\s+more|all\s+(?:week|month|day|year)|"
        r"in\s+(?:weeks|months|days|ages)|so\s+far|after|now|a\s+single\s+time)\b)"
        r"|\b(?:issue|problem|error|fault|bug|it|crash(?:es)?|glitch|message|warning|pop-?up)\s+"
        r"(?:has|have|had)\s*n[o']?t\s+(?:come\s+back|returned|recurred|reappeared|happened\s+(?:again|since))\b",
        1.8,
        "hasn't|hasnt|haven't|havent|has|have|hadn't|didn't|didnt|did|never|not + jammed|crashed|"
        "dropped|frozen|froze|failed|disconnected|hung|gone|went|logged|kicked|locked|skipped|missed|"
        "glitched|lagged|timed|broken|broke|blue-screened|bluescreened|blue|cut|played|acted|given|"
        "caused|let|crash|jam|drop|freeze|fail|glitch|lag|come|returned|recurred|reappeared|happened|"
        "missed|lost + since|once|again|all|anymore|more|weeks|months|days|ages|far|after|now|single|"
        "come|returned|recurred|reappeared|happened",
    ),
    # Understatement and litotes.
    _r(
        "could be better (understatement)",
        r"\b(?:could|might|can)\s+(?:be|do|get)\s+(?:a\s+(?:lot|bit|little|whole\s+lot)\s+|much\s+|far\s+|"
        r"way\s+|so\s+much\s+|loads\s+)?(?:better|faster|quicker|clearer|easier|smoother|more\s+\w+)\b",
        -1.5,
        "could|might|can + better|faster|quicker|clearer|easier|smoother|more",
    ),
    _r(
        "leaves a lot to be desired (understatement)",
        r"\bleaves?\s+(?:a\s+lot|much|something|plenty|a\s+great\s+deal)\s+to\s+be\s+desired\b"
        r"|\b(?:plenty\s+of\s+|lots\s+of\s+|a\s+lot\s+of\s+|some\s+|much\s+|(?:still\s+)?(?:a\s+)?(?:lot\s+of\s+)?)"
        r"room\s+for\s+improvement\b|\bhit[\s-]+(?:and|or|&)[\s-]+miss\b|\bso[\s-]so\b|\bmixed\s+bag\b"
        r"|\bnot\s+ideal\b",
        -1.5,
        "desired|improvement|miss|so-so|bag|ideal",
    ),
    _r(
        "far from ideal (understatement)",
        r"\b(?:far\s+from|anything\s+but|hardly|not\s+exactly|not\s+quite|not\s+the\s+most)\s+"
        r"(?:ideal|great|perfect|good|smooth|seamless|reliable|stable|fast|quick|helpful|user[-\s]friendly|"
        r"intuitive|easy|simple|impressive|brilliant|straightforward)\b",
        -1.5,
        "far|anything|hardly|exactly|quite|most + ideal|great|perfect|good|smooth|seamless|reliable|"
        "stable|fast|quick|helpful|user-friendly|user|intuitive|easy|simple|impressive|brilliant|"
        "straightforward",
    ),
    _r(
        "can't complain (litotes)",
        r"\b(?:can'?t|cannot|can\s+not|couldn'?t|could\s+not)\s+(?:really\s+)?complain\b|"
        r"\bno\s+complaints?\b(?!\s+(?:department|team|form|process|procedure|handling|about\s+(?:the|my|our)))"
        r"|\bcouldn'?t\s+(?:be|have\s+been)\s+(?:any\s+)?(?:better|happier|more\s+(?:pleased|helpful|satisfied|impressed))"
        r"|\b(?:couldn'?t|could\s+not|can'?t)\s+(?:have\s+)?ask(?:ed)?\s+for\s+(?:more|better|anything\s+more)\b"
        r"|\bnot\s+(?:too\s+)?bad\s+at\s+all\b|\bnothing\s+(?:but|except)\s+(?:praise|good\s+things|positive)",
        1.8,
        "complain|complaint|complaints|better|happier|pleased|helpful|satisfied|impressed|ask|asked|"
        "bad|praise|positive + can't|cant|cannot|can|couldn't|couldnt|could|no|not|nothing",
    ),
    # Praise idioms for a person or a change.
    _r(
        "deserves a raise (praise)",
        r"\bdeserves?\s+(?:a|an)\s+(?:\w+\s+)?(?:raise|pay\s+rise|medal|promotion|bonus|award|prize|"
        r"pat\s+on\s+the\s+back|day\s+off|holiday|drink|beer|coffee|cake|mention|shout-?out)\b|"
        r"\bowe\s+(?:you|him|her|them|the\s+\w+(?:\s+\w+)?|whoever\s+\w+(?:\s+\w+)?)\s+(?:a|one|big|"
        r"several|many|some)?\s*(?:\w+\s+)?(?:coffee|coffees|beer|beers|pint|pints|drink|drinks|cake|"
        r"lunch|doughnuts?|donuts?|biscuits|chocolates?|favou?r)\b|"
        r"\b(?:you(?:'re|\s+are)|u\s+r|(?:he|she|they)(?:'s|'re|\s+is|\s+are|\s+was|\s+were)|is\s+an?|"
        r"absolute|total|real|such\s+an?|true|proper)\s+(?:an?\s+)?(?:absolute\s+|total\s+|real\s+|true\s+|"
        r"proper\s+)?(?:star|legend|hero|gem|superstar|rockstar|rock\s+star|lifesaver|life\s+saver|"
        r"wizard|genius|magician|champion|champ|godsend|saint|angel|treasure|asset)s?\b|"
        r"\bgame[\s-]?changer\b|\bworks?\s+like\s+a\s+(?:charm|dream)\b|\bmade\s+(?:my|our)\s+(?:day|week|morning)\b",
        2.4,
        "deserve|deserves|owe|star|legend|hero|gem|superstar|rockstar|rock|lifesaver|life|wizard|"
        "genius|magician|champion|champ|godsend|saint|angel|treasure|asset|stars|legends|heroes|gems|"
        "superstars|rockstars|lifesavers|wizards|geniuses|champions|saints|angels|changer|"
        "game-changer|gamechanger|charm|dream|made",
    ),
    # Scare quotes around a promise or a process word: "quick" fix, "planned maintenance",
    # "no impact", the "upgrade". Not a quoted button, menu or option ("click "Update"").
    _r(
        "scare quotes (sarcasm)",
        r"(?<!click\s)(?<!select\s)(?<!press\s)(?<!choose\s)(?<!tap\s)(?<!pick\s)"
        r"(?:\"|(?<![a-z])')\s*(?:[\w-]+\s+){0,2}?(?:quick|quickly|fast|faster|easy|easier|simple|"
        r"upgrade[ds]?|improvements?|improved|new\s+and\s+improved|fix|fixed|resolved|solved|solution|"
        r"support|help|helpful|helpdesk|service|planned|scheduled|maintenance|minor|temporary|urgent|"
        r"priority|seamless|smooth|user[-\s]friendly|intuitive|streamlined|modern|self[-\s]service|"
        r"impact|disruption|working|works|secure|security|enhancements?|enhanced|optimi[sz]ation|"
        r"optimi[sz]ed|standard|best\s+practice|within\s+the\s+hour|next\s+day|asap|soon|shortly|"
        r"smart|better|efficiency|efficient|productivity|innovation|transformation|modernisation|"
        r"modernization|simplified|simplification|stable|reliable|rapid|instant|immediately|"
        r"on\s+it|looking\s+into\s+it|escalated|callback|call\s+back|all\s+systems\s+operational)"
        r"(?:\s+[\w-]+){0,3}?\s*[.!?,]?(?:\"|'(?![a-z]))(?!\s*(?:button|option|tab|menu|link|field|"
        r"box|labels?|folder|settings?|category|queue|template|page|section|form|icon|column|channel)\b)",
        -2.5,
        _quoted(
            "quick|quickly|fast|faster|easy|easier|simple|upgrade|upgraded|upgrades|improvement|"
            "improvements|improved|fix|fixed|resolved|solved|solution|support|help|helpful|helpdesk|"
            "service|planned|scheduled|maintenance|minor|temporary|urgent|priority|seamless|smooth|"
            "user-friendly|intuitive|streamlined|modern|self-service|impact|disruption|"
            "working|works|secure|security|enhancement|enhancements|enhanced|optimisation|optimization|"
            "optimised|optimized|standard|practice|asap|soon|shortly|smart|better|efficiency|"
            "efficient|productivity|innovation|transformation|modernisation|modernization|simplified|"
            "simplification|stable|reliable|rapid|instant|immediately|escalated|callback|"
            "call|operational"
        ),
        gate=('"', " '", "('"),
    ),
    # --- v7: questions and statements that imply a fault ---
    _r(
        "does anyone actually read (rhetorical)",
        r"\b(?:anyone|anybody|someone|somebody|you|they|it|you\s+guys)\s+(?:(?:from|in|at)\s+\w+\s+)?"
        r"(?:\w+\s+)?(?:actually|even|ever|really)\s+(?:reads?|read|reading|checking|testing|looking\s+at|listening|monitoring|checks?|check|tests?|tested|test|"
        r"looks?\s+at|look\s+at|cares?|care|listens?|listen|monitors?|monitor|bothers?|bother|thinks?\s+about|"
        r"think\s+about|tries|try|proof-?read|consult(?:ed|s)?|ask(?:ed|s)?\s+(?:users|us|the\s+users))\b",
        -1.6,
        "actually|even|ever|really + anyone|anybody|someone|somebody|you|they|it|guys + read|reads|"
        "reading|checking|testing|looking|listening|monitoring|"
        "check|checks|test|tests|tested|look|looks|care|cares|listen|listens|monitor|monitors|bother|"
        "bothers|think|thinks|tries|try|proofread|proof-read|consult|consulted|consults|ask|asked|asks",
    ),
    _r(
        "anyone else having (shared problem)",
        r"\b(?:anyone|anybody)\s+else(?:'s)?\s+(?:\w+\s+){0,2}?(?:having|seeing|getting|experiencing|"
        r"noticing|struggling|stuck|unable|lost|losing|had|seen|got|finding|hitting|affected|"
        + _FAILING[3:],
        -1.4,
        "else|else's",
    ),
    _r(
        "who decided this (rhetorical)",
        r"\bwho\s+(?:on\s+earth\s+|the\s+hell\s+|exactly\s+)?(?:plans|planned|schedules|scheduled|"
        r"decided\s+(?:to|that|on)|decides|thought\s+(?:it|this|that)\s+(?:was|would)|came\s+up\s+with|"
        r"tests?|tested|configured|set\s+(?:this|it|these)\s+up|signed\s+(?:this\s+|it\s+)?off|"
        r"thinks?\s+(?:this|that|it)\s+(?:is|was))\b",
        -1.5,
        "who + plans|planned|schedules|scheduled|decided|decides|thought|came|test|tests|tested|"
        "configured|set|signed|think|thinks",
    ),
    _r(
        "another one? (exasperation)",
        r"(?:^|(?<=[.!?]))\s*(?:yet\s+)?another\s+[^.!?]{0,60}\?",
        -1.4,
        "another",
    ),
    _r(
        "surely (rhetorical)",
        r"(?:^|(?<=[.!?]))\s*surely\b[^.!?]{0,120}\?",
        -1.3,
        "surely",
    ),
    _r(
        "is there a reason (rhetorical)",
        r"\b(?:is\s+there\s+(?:a|any)\s+(?:good\s+)?reason|any\s+reason)\s+(?:why\s+)?"
        r"(?:the|my|our|we|i|it|this|that|you|they|everything|nobody|no\s+one)\b",
        -1.3,
        "reason",
    ),
    _r(
        "when it works (conditional praise)",
        r"\b(?:when|if)\s+(?:it|they|this|that|the\s+[\w-]+)\s+(?:actually\s+|even\s+)?works?\b"
        r"(?:\s+at\s+all)?(?=\s*[.!,;)-]|\s*$|\s+(?:which|that|but|and))|"
        r"\b(?:(?:about|only|like|maybe|roughly|barely|at\s+best)\s+)?(?<!take\s)(?<!takes\s)(?<!took\s)(?<!in\s)"
        r"half\s+(?:the|of\s+the)\s+time\b",
        -1.4,
        "works|work|half + when|if|time",
    ),
    # v7 (round nine): what a failure no longer does is praise ("we don't lose the tablets
    # any more", "I never have to wait long anymore"), before "not ... anymore" reads it as
    # a fault.
    _r(
        "doesn't fail anymore (relief)",
        r"\b(?:don'?t|doesn'?t|do\s+not|does\s+not|never|no\s+longer)\s+(?:even\s+|ever\s+)?"
        r"(?:lose|drop|crash|freeze|hang|fail|disconnect|lag|jam|time\s+out|get\s+(?:kicked|logged|locked|"
        r"disconnected|errors?|dropped)|have\s+to\s+(?:wait|restart|reboot|chase|call|re-?enter|log\s+in)|"
        r"need\s+to\s+(?:restart|reboot|chase|call|re-?enter))\w*\s+(?:[\w-]+\s+){0,4}?(?:any\s*more)\b",
        1.8,
        "anymore|more + don't|dont|doesn't|doesnt|do|does|never|longer",
    ),
    _r(
        "cancel my request",
        r"\bcancel(?:l?ed|l?ing|s)?\s+(?:my|the|this|that|our|his|her|their|a)\s+(?:\w+\s+)?(?:request|ticket|"
        r"order|licen[cs]e|subscription|meeting|booking|reservation|account|access|change|install|"
        r"installation|appointment|invite|invitation)\b|\bplease\s+cancel\b",
        0.0,
        "cancel|cancelled|canceled|cancelling|canceling|cancels",
        "request",
    ),
    _r(
        "no longer need (request)",
        r"\bno\s+longer\s+(?:need|needs|needed|require|requires|use|uses|want|wants)\b|"
        r"\b(?:to\s+(?:get|be)|getting)\s+(?:it\s+|this\s+|them\s+)?(?:resolved|fixed|sorted|answered|solved)\b",
        0.0,
        "longer|resolved|fixed|sorted|answered|solved + need|needs|needed|require|requires|use|uses|"
        "want|wants|to|getting",
    ),
    _r(
        "not once (emphatic negation)",
        r"(?:^|(?<=[.!?]))\s*(?:not|never)\s+once\s+(?:has|have|did|does|do|was|were|is|had)\b|"
        r"\bevery\.\s+(?:single\.\s+)?time\b|\bevery\s+single\s+(?:time|day|morning|week|login|call)\b",
        -1.3,
        "once|every",
    ),
    _r(
        "minutes to reboot (slow)",
        r"\b(?:(?:\d+|ten|twenty|thirty|forty|fifteen|five|several|two|three)\s+(?:minutes|mins|hours|hrs)|"
        r"(?:\d\d+|ten|twenty|thirty|forty|fifteen|sixty)\s+(?:seconds|secs))\s+"
        r"(?:just\s+)?to\s+(?:log|load|open|boot|reboot|restart|start|connect|sign|get\s+in|print|save|sync|"
        r"respond|send|install|unlock|launch|join|reset|answer|pick\s+up)\b|"
        r"\bnot\s+(?:exactly\s+)?what\s+(?:i|we|you)(?:'d|\s+would)\s+call\b",
        -1.5,
        "minutes|mins|hours|hrs|seconds|secs|call + to|what",
    ),
    _r(
        "had everything working (ready)",
        r"\b(?:had|have|got|get|has)\s+(?:everything|it\s+all|all\s+(?:my|of\s+my)\s+\w+)\s+"
        r"(?:working|set\s+up|sorted|ready|up\s+and\s+running)\b|"
        r"\b(?:in|on|within)\s+(?:one|a\s+single|the\s+first)\s+(?:call|go|attempt|try|visit)\b",
        1.8,
        "everything|all|one|single|first + working|set|sorted|ready|running|call|go|attempt|try|visit",
    ),
    # v7 (last rounds): more ways to report a fault, and more neutral settings
    _r(
        "battery lasts an hour (short life)",
        r"\b(?:battery|batteries|charge|it|laptop|phone|tablet|handheld|headset)\s+(?:only\s+|now\s+)?"
        r"(?:lasts?|holds?\s+(?:a\s+)?charge\s+for)\s+(?:maybe\s+|about\s+|barely\s+|only\s+|like\s+|around\s+|"
        r"less\s+than\s+)?(?:an?\s+|one\s+|two\s+|\d+\s+|half\s+an\s+|a\s+couple\s+of\s+)"
        r"(?:hour|hours|hrs?|minutes|mins)\b",
        -1.4,
        "lasts|last|holds|hold + battery|batteries|charge|it|laptop|phone|tablet|handheld|headset",
    ),
    _r(
        "black stripe (print fault)",
        r"\b(?:black|white|grey|gray|dark|faint|coloured|colored)\s+(?:stripes?|streaks?|lines?|smudges?|"
        r"smears?|marks?|bars?|bands?)\b|\b(?:streaky|smudged|smeared|faded)\b",
        -1.3,
        "stripe|stripes|streak|streaks|line|lines|smudge|smudges|smear|smears|mark|marks|bar|bars|band|"
        "bands|streaky|smudged|smeared|faded",
    ),
    _r(
        "says I don't have access (error)",
        r"\b(?:says|said|tells\s+me|told\s+me|shows|showing|complains)\s+(?:that\s+)?(?:i|we|you)\s+"
        r"(?:don'?t|do\s+not|no\s+longer|can'?t|cannot)\s+(?:have\s+)?(?:the\s+)?(?:\w+\s+)?"
        r"(?:permission|permissions|access|rights|licen[cs]e|log\s+in|sign\s+in)\b",
        -1.5,
        "says|said|tells|told|shows|showing|complains + permission|permissions|access|rights|"
        "license|licence|log|sign",
    ),
    _r(
        "borrowing a laptop (workaround)",
        r"\b(?:borrowing|borrowed|borrow|sharing)\s+(?:one|a\s+(?:\w+\s+)?(?:laptop|pc|phone|headset|"
        r"screen|monitor|login|badge|account)|(?:my\s+)?(?:a\s+)?colleague'?s(?:\s+\w+)?)\s+(?:from|with|of)?"
        r"(?=[^.!?]{0,30}\b(?:colleague|neighbou?r|desk|team|manager|someone|friend|them|her|him)\b)",
        -1.3,
        "borrowing|borrowed|borrow|sharing + colleague|colleague's|colleagues|neighbour|"
        "neighbor|desk|team|manager|someone|friend|them|her|him",
    ),
    _r(
        "it's now week three (waiting)",
        r"\b(?:it'?s|it\s+is|we'?re|we\s+are|i'?m|i\s+am)\s+(?:now\s+)?(?:in\s+|on\s+)?(?:week|day|month)\s+"
        r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\b",
        -1.3,
        "week|day|month + it's|its|it|we're|we|i'm|i",
        gate=(
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
        ),
    ),
    _r(
        "can't find a thing",
        r"\b(?:can'?t|cannot|couldn'?t|unable\s+to|never)\s+find\s+(?:a\s+single\s+thing|anything|"
        r"a\s+thing|what\s+(?:i|we)\s+(?:need|want|am\s+looking\s+for))\b",
        -1.6,
        "find",
    ),
    _r(
        "another day, another outage",
        r"\banother\s+[\w-]+(?:\s+[\w-]+)?\s*,\s*another\b",
        -1.6,
        "another",
    ),
    _r(
        "shift, effective date (settings)",
        r"\b(?:late|early|night|day|evening|weekend|morning|afternoon)\s+shifts?\b|"
        r"\beffective\s+(?:from\s+|as\s+of\s+)?(?:immediately|today|tomorrow|\d|monday|tuesday|wednesday|"
        r"thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|"
        r"october|november|december|next|this|end)",
        0.0,
        "shift|shifts|effective",
    ),
    _r(
        "updates every 30 minutes (frequency)",
        r"\bevery\s+(?:\d+|ten|fifteen|thirty|few)\s+"
        r"(?:minutes|mins|hours|hrs)\b(?=[^.!?]{0,40}\b(?:helped|useful|great|clear|kept|informed|updated)\b)|"
        r"\b(?:updates?|messages?|comms|emails?|check-?ins?)\s+every\s+(?:\d+|ten|fifteen|thirty|few)\s+"
        r"(?:minutes|mins|hours|hrs)\b",
        0.0,
        "every + minutes|mins|hours|hrs + helped|useful|great|clear|kept|informed|updated|update|"
        "updates|message|messages|comms|email|emails|check-in|check-ins|checkin|checkins",
    ),
    _r(
        "lost phone (request)",
        r"\b(?:lost|stolen|damaged|broken|cracked)\s+(?:\w+\s+)?(?:phone|mobile|laptop|badge|card|device|"
        r"tablet|token|key|keys|charger|headset|smartcard|screen|sim)\b",
        0.0,
        "lost|stolen|damaged|broken|cracked",
        "request",
    ),
    # "I was dreading the upgrade but it went smoothly": the fear sets up the relief.
    _r(
        "was dreading, but (relief)",
        r"\b(?:i\s+was|we\s+were|i'?d\s+been|we'?d\s+been|was|were)\s+(?:really\s+|so\s+|honestly\s+)?"
        r"(?:dreading|worried\s+about|nervous\s+about|anxious\s+about|scared\s+of|fearing|"
        r"not\s+looking\s+forward\s+to)\b(?=[^.!?]{1,80}\bbut\b)",
        0.0,
        "dreading|worried|nervous|anxious|scared|fearing|looking + but",
    ),
    _r(
        "don't understand why (grievance)",
        r"\b(?:don'?t|do\s+not|can'?t|cannot)\s+(?:really\s+)?(?:understand|see|fathom|get|work\s+out)\s+why\b|"
        r"\b(?:don'?t|do\s+not)\s+think\s+(?:anyone|anybody|they|you|it|this|that)\s+(?:\w+\s+)?"
        r"(?:tested|checked|thought|asked|read|looked|considered|bothered|works?|worked|is|was)\b",
        -1.4,
        "why|think + don't|dont|do|can't|cant|cannot",
    ),
    _r(
        "why was it pushed (grievance)",
        r"\bwhy\s+(?:was|were|did|would|do|does|is|are)\s+(?:the|this|that|it|a|an|our|my|these|those)\s+"
        r"(?:[\w-]+\s+){0,3}?(?:pushed|scheduled|rolled\s+out|released|deployed|changed|done|planned|installed|"
        r"applied|removed|moved|allowed|reboot|reboots|restart|restarts|update|updates|log|logs|sign|signs)\b",
        -1.6,
        "why + pushed|scheduled|rolled|released|deployed|changed|done|planned|installed|applied|"
        "removed|moved|allowed|reboot|reboots|restart|restarts|update|updates|log|logs|sign|signs",
    ),
    _r(
        "doesn't exist",
        r"\b(?:doesn'?t|does\s+not|don'?t|do\s+not|didn'?t)\s+(?:even\s+|actually\s+|seem\s+to\s+)?exist\b|"
        r"\bnone\s+of\s+(?:the\s+|my\s+|our\s+)?(?:[\w-]+\s+){0,3}?(?:sync|load|print|open|show|save|update|"
        r"arrive|come\s+through|connect)(?:s|ed|ing)?\b|"
        r"\b(?:we'?re|i'?m|we\s+are|i\s+am|left|leaves\s+us|leaves\s+me)\s+on\s+(?:our|my)\s+own\b|"
        r"\b(?:sitting|sat|been|left|standing)\s+(?:around\s+)?idle\b",
        -1.4,
        "exist|none|own|idle",
    ),
    _r(
        "the old one was faster (regression)",
        r"\b(?:the\s+)?old\s+(?:one|system|version|laptop|portal|process|tool|setup|app|software|intranet|"
        r"phones?|printer|way)\s+(?:was|were|is)\s+(?:much\s+|way\s+|a\s+lot\s+|far\s+)?(?:faster|better|"
        r"easier|quicker|simpler|more\s+reliable|more\s+stable)\b",
        -1.6,
        "old + faster|better|easier|quicker|simpler|reliable|stable",
    ),
    _r(
        "no opinion (answer)",
        r"\bno\s+(?:real\s+|strong\s+|particular\s+)?(?:opinion|opinions|view|views|feelings?\s+(?:either\s+way|"
        r"one\s+way\s+or\s+the\s+other)|preference)\b|\bnot\s+applicable\b",
        0.0,
        "opinion|opinions|view|views|feelings|feeling|preference|applicable",
    ),
    _r(
        "happy to pick it up (willingness)",
        r"\b(?:more\s+than\s+)?(?:happy|glad|willing)\s+to\s+(?:pick|collect|come|help|share|test|wait|provide|"
        r"send|bring|drop|meet|join|hop|jump|chat|discuss|walk|show|swap|return|answer|talk)\b",
        0.0,
        "happy|glad|willing",
    ),
    _r(
        "reporting issues (request)",
        r"\b(?:report|reporting|log|logging|raise|raising|track|tracking|handle|handling|escalate|escalating)\s+"
        r"(?:\w+\s+)?(?:issues?|problems?|incidents?|faults?|bugs?)\b|\bgoods\s+(?:issue|receipt)s?\b",
        0.0,
        "issue|issues|problem|problems|incident|incidents|fault|faults|bug|bugs|goods",
        "request",
    ),
    _r(
        "expected worse (relief)",
        r"\b(?:i\s+|we\s+)?(?:expected|thought\s+it\s+would\s+be|feared)\s+(?:much\s+|far\s+|a\s+lot\s+)?worse\b|"
        r"\bhandled\s+(?:the\s+|it\s+|this\s+|that\s+|everything\s+)?(?:[\w-]+\s+){0,2}?(?:really\s+|very\s+|so\s+|"
        r"extremely\s+|incredibly\s+)?(?:well|brilliantly|professionally|perfectly|superbly|calmly)\b|"
        r"\bclear\s+(?:and\s+\w+\s+)?(?:updates?|communication|comms|instructions|explanations?|guidance)\b|"
        r"\bnone\s+of\s+(?:the\s+|my\s+|our\s+)?(?:[\w-]+\s+){0,3}?(?:were|was|got|have\s+been|has\s+been)\s+"
        r"(?:lost|deleted|corrupted|damaged|affected|wiped)\b",
        1.8,
        "worse|handled|clear|none",
    ),
    _r(
        "sure, let's (sarcasm)",
        r"(?:^|(?<=[.!?]))\s*(?:sure|yeah|right|oh\s+sure|oh\s+yes|great\s+idea)\s*,\s*let'?s\b",
        1.0,
        "let's|lets + sure|yeah|right|yes|idea",
        "sarcasm",
    ),
    # A broken promise: "I was promised a callback", "we were promised it in January".
    _r(
        "was promised (broken promise)",
        r"\b(?:i\s+was|we\s+were|was|were|been|i'?ve\s+been|we'?ve\s+been|got)\s+(?:\w+\s+)?promised\b"
        r"|\bpromised\s+(?:me|us)\b(?!\s+(?:and|that\s+it\s+(?:was|is)\s+(?:done|fixed)))",
        -1.4,
        "promised",
        "report",
    ),
    _r(
        "been asking for (chasing)",
        r"\b(?:been|keep|kept|keeps|still)\s+(?:\w+\s+)?(?:asking|chasing|requesting|begging|pushing|"
        r"emailing|calling|nagging|following\s+up|raising\s+(?:tickets|this|it))\b",
        -1.4,
        "asking|chasing|requesting|begging|pushing|emailing|calling|nagging|following|raising + "
        "been|keep|kept|keeps|still",
    ),
    _r(
        "too long (excess)",
        r"\b(?:far\s+|way\s+|much\s+|just\s+|simply\s+)?too\s+(?:long|slow|slowly|many\s+(?:clicks|steps|"
        r"passwords|logins|log-?ins|hoops|emails|prompts|screens|forms|approvals|systems|tickets)|often|"
        r"complicated|complex|convoluted|confusing|fiddly|clunky|difficult|hard|unreliable|small\s+to\s+read|"
        r"laggy|buggy|flaky|late)\b",
        -1.4,
        "too",
    ),
    _r(
        "someone else's (wrong data)",
        r"\b(?:still\s+)?(?:had|has|have|shows?|showing|showed|contains?|contained|with|got|sent\s+me|"
        r"gave\s+me)\s+(?:\w+\s+)?(?:someone|somebody|another\s+(?:user|person|employee|doctor|patient|"
        r"customer|client))(?:'s|\s+else'?s)\b",
        -1.3,
        "someone's|somebody's|else's|elses|user's|person's|employee's|doctor's|patient's|"
        "customer's|client's + had|has|have|shows|show|showing|showed|contains|contain|contained|"
        "with|got|sent|gave",
    ),
    # Neutral scheduling: a planned window or a question about it is not an outage
    # ("What time does the downtime start on Saturday?", "Will Teams be affected?").
    _r(
        "maintenance window (schedule)",
        r"\b(?:downtime|maintenance|outage|upgrade|migration|cut-?over|(?:change|code)\s+freeze|patching|"
        r"reboot)\s+(?:window|period|schedule|slot|start|starts|begin|begins|end|ends|finish|finishes|"
        r"on\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*|this\s+(?:weekend|evening|week|saturday|sunday|friday)|"
        r"tonight|tomorrow|next\s+\w+|at\s+\d|from\s+\d|between|is\s+(?:from|at|on|between|scheduled|planned))"
        r"|\b(?:what\s+time|when|how\s+long)\s+(?:does|will|is|did)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:downtime|maintenance|outage|upgrade|migration|freeze)\b"
        r"|\b(?:be|is|are|get|be\s+at\s+all)\s+affected\b(?=[^.!]*\?)"
        r"|\b(?:change|code)\s+freeze\b",
        0.0,
        "downtime|maintenance|outage|upgrade|migration|cutover|cut-over|freeze|patching|reboot|affected",
    ),
    # IT nouns named after a bad thing: "the outage email", "phishing awareness training".
    _r(
        "outage email, phishing training (nouns)",
        r"\b(?:outage|downtime|incident|maintenance|phishing|security|fraud|spam|virus|malware)(?=\s+"
        r"(?:email|emails|e-mails?|updates?|notifications?|notices?|comms|communications?|messages?|"
        r"page|report|reports|alerts?|awareness|training|session|sessions|simulation|simulations|"
        r"campaign|test|tests|exercise|drill|button|filter|quiz|course|module|video|webinar)\b)",
        0.0,
        "outage|downtime|incident|maintenance|phishing|security|fraud|spam|virus|malware",
    ),
    # "no impact for us", "no on-site support is needed": nothing wrong.
    _r(
        "no action needed",
        r"\bno\s+(?:[\w-]+\s+)?(?:impact|disruption|action|changes?|support|downtime|outage|access|"
        r"input|response|reply)\s+(?:is\s+|will\s+be\s+)?(?:needed|required|necessary|expected|"
        r"planned|for\s+(?:us|you|users|staff|them)|to\s+(?:users|you|us|staff|services))\b|"
        r"\bno\s+(?:impact|disruption)\b(?!\s+(?:assessment|analysis))",
        0.0,
        "impact|disruption|action|change|changes|support|downtime|outage|access|input|response|reply + no",
    ),
    # Supplies running low are a request, not a fault ("toner is showing low").
    _r(
        "toner low (supplies)",
        r"\b(?:toner|ink|cartridge|cartridges|paper|stock|supplies|labels|staples)\b[^.!?]{0,60}?\blow\b|"
        r"\blow\s+on\s+(?:toner|ink|paper|stock|labels|staples)\b",
        0.0,
        "low + toner|ink|cartridge|cartridges|paper|stock|supplies|labels|staples",
    ),
    # Context, not loss: "now that the old plotter is gone", "I thought I'd lost it".
    _r(
        "now that it is gone (context)",
        r"\bnow\s+that\s+(?:the\s+|our\s+|my\s+)?(?:[\w-]+\s+){0,2}?(?:is|are|has\s+been|have\s+been)\s+"
        r"(?:gone|retired|decommissioned|replaced|removed|switched\s+off)\b|"
        r"\b(?:thought|feared|worried)\s+(?:i'?d|i\s+had|we'?d|we\s+had|it\s+was|they\s+were|i\s+was|"
        r"everything\s+was|it\s+had)\s+(?:\w+\s+)?(?:lost|gone|dead|broken|deleted|wiped|corrupted|"
        r"toast|done\s+for|ruined)\b",
        0.0,
        "now|thought|feared|worried + gone|retired|decommissioned|replaced|removed|switched|lost|dead|"
        "broken|deleted|wiped|corrupted|toast|done|ruined",
    ),
    # --- requests: politeness is not praise ---
    _r(
        "thanks in advance",
        r"\b(?:thanks|thank\s+you|thx|many\s+thanks)\s+(?:so\s+much\s+|very\s+much\s+)?(?:in\s+advance|ahead(?:\s+of\s+time)?|in\s+anticipation)\b|\btia\b",
        0.0,
        "advance|ahead|anticipation|tia",
    ),
    _r(
        "would appreciate (request)",
        r"\b(?:would|'d|will)\s+(?:really\s+|greatly\s+|very\s+much\s+)?(?:appreciate|be\s+(?:very\s+)?(?:grateful|thankful))(?:\s+(?:it|any|your|some|a))?(?:\s+(?:if|help|assistance|advice|input|guidance|reply|response|quick))?\b",
        0.0,
        "appreciate|grateful|thankful",
    ),
    _r(
        "thanks (in a request)",
        r"\b(?:thanks|thank\s+you|thank\s+u|thx|ty|many\s+thanks|cheers)\b(?!\s+(?:so\s+much\s+|very\s+much\s+|a\s+lot\s+|again\s+)?for\b)",
        0.0,
        "thanks|thank|thx|ty|cheers",
        "request",
    ),
    # --- v5: neutral status that would read as failure or waiting ---
    _r(
        "nobody told us",
        r"\b(?:no(?:body|\s+one)\s+(?:ever\s+|even\s+|bothered\s+to\s+)?(?:told|tells|informed|warned|notified)|without\s+(?:telling|informing|warning|notifying)|(?:wasn'?t|weren'?t|was\s+not|were\s+not|never\s+got|never\s+been)\s+(?:told|informed|warned|notified))\b",
        -1.6,
        "nobody|one|without|wasn't|wasnt|weren't|werent|was|were|never + told|tells|informed|"
        "warned|notified|telling|informing|warning|notifying",
    ),
    _r(
        "broken again (relapse)",
        r"\b(?:broken|broke|dead|offline|frozen|stuck|crashed|crashing|slow|failing|failed|unusable|missing|locked|jammed|flaky|full|empty)\s+(?:yet\s+|once\s+)?again\b",
        -2.5,
        "again + broken|broke|dead|offline|frozen|stuck|crashed|crashing|slow|failing|failed|"
        "unusable|missing|locked|jammed|flaky|full|empty",
    ),
    _r(
        "wrong password (own mistake)",
        r"\b(?:entered|typed|used|put\s+in|tried)\s+(?:in\s+)?(?:the\s+|a\s+|an\s+|my\s+)?(?:wrong|incorrect|old|expired)\s+(?:password|pin|code|passcode|details|username)(?:\s+(?:too\s+many|several|multiple|\w+)\s+(?:times|attempts))?\b|\bforgot\s+(?:my|the)\s+(?:password|pin|passcode|badge|laptop|charger|login|username)\b",
        0.0,
        "wrong|incorrect|old|expired|forgot + password|pin|code|passcode|details|username|badge|"
        "laptop|charger|login",
    ),
    _r(
        "staying late (effort)",
        r"\b(?:stay|stays|stayed|staying|work|works|worked|working)\s+late\b",
        0.0,
        "late + stay|stays|stayed|staying|work|works|worked|working",
    ),
    _r(
        "planned downtime",
        r"\b(?:will|would|going\s+to|to)\s+(?:[\w'-]+\s+){0,3}?be\s+(?:down|offline|unavailable|rebooted|restarted)\b|\b(?:down|offline|unavailable|closed)\s+for\s+(?:planned\s+|scheduled\s+|routine\s+|the\s+)?(?:maintenance|upgrades?|patching|updates?|migration)\b|\b(?:planned|scheduled)\s+(?:outage|downtime|maintenance)\b",
        0.0,
        "down|offline|unavailable|rebooted|restarted|planned|scheduled + be|for|outage|downtime|"
        "maintenance",
    ),
    _r(
        "planned duration",
        r"\b(?:book|books|booked|booking|reserve|reserved|reserving|schedule|scheduled|extend|extended|borrow|rent|hire|loan|lend|need|needed|valid|last|lasts|lasting|available|away|travel(?:l?ing)?|trip|leave|holiday|vacation)\b(?:\s+[\w'-]+){0,6}?\s+(?:for|up\s+to)\s+(?:(?:more\s+than|about|around|at\s+least|up\s+to|another|the\s+next)\s+)?(?:\d+|a|an|one|two|three|four|five|six|seven|eight|ten|a\s+few|several|a\s+couple\s+of)?\s*(?:hours?|days?|weeks?|months?|hrs?|mins?|minutes)\b",
        0.0,
        "hours|hour|days|day|weeks|week|months|month|hrs|hr|mins|min|minutes + book|books|booked|"
        "booking|reserve|reserved|reserving|schedule|scheduled|extend|extended|borrow|rent|hire|"
        "loan|lend|need|needed|valid|last|lasts|lasting|available|away|travel|travelling|"
        "traveling|trip|leave|holiday|vacation",
    ),
    # --- v5: fast service (before the waiting rules read the duration as a wait) ---
    _r(
        "fixed in minutes",
        r"\b(?:fixed|sorted|solved|resolved|done|ready|back|replied|responded|answered|arrived|delivered|installed|restored|approved|set\s+up|picked\s+(?:it\s+|this\s+)?up|came\s+back|got\s+back|called\s+(?:me\s+|us\s+)?back|got\s+(?:me|us|it|everything)\s+(?:back\s+)?(?:in|on|online|going|sorted|connected|working|up\s+and\s+running))\b(?:\s+[\w'-]+){0,4}?\s+(?:in|within|under)\s+(?:(?:a|few|a\s+few|\d+|two|three|five|ten|fifteen|twenty|thirty|a\s+couple\s+of)\s+)?(?:seconds|secs|minutes|mins|no\s+time|a\s+flash|a\s+jiffy|the\s+hour|an\s+hour|one\s+hour|a\s+day|the\s+same\s+day|a\s+few\s+hours)\b|\b(?:boots?|booted|loads?|loaded|opens?|opened|starts?|started|runs?|ran|syncs?|synced|connects?|connected)\s+(?:up\s+)?(?:(?:in|within)\s+(?:(?:a\s+few|few|\d+|two|three|five|ten)\s+)?(?:seconds|secs|no\s+time|a\s+flash|a\s+jiffy)|instantly|immediately|straight\s+away|right\s+away)\b",
        1.8,
        "seconds|secs|minutes|mins|time|flash|jiffy|hour|day|hours|instantly|immediately|straight|"
        "right + fixed|sorted|solved|resolved|"
        "done|ready|back|replied|responded|answered|arrived|delivered|installed|restored|approved|"
        "set|picked|came|got|called|boot|boots|booted|load|loads|loaded|open|opens|opened|start|"
        "starts|started|run|runs|ran|sync|syncs|synced|connect|connects|connected",
    ),
    _r(
        "took two minutes (fast)",
        r"\btook\s+(?:only\s+|just\s+|about\s+|around\s+|less\s+than\s+|under\s+|literally\s+)?"
        r"(?:a\s+few|few|a\s+couple\s+of|two|three|four|five|one|a|[1-5])\s+(?:seconds|secs|minutes?|mins?)\b"
        r"(?!\s+(?:to\s+(?:log|load|open|boot|start|connect|sign|get|respond|send|print|save|sync|find|"
        r"come|wake|unlock|launch)|for\b|each|every|per|just))",
        1.8,
        "took + seconds|secs|minutes|minute|mins|min",
    ),
    # --- v5: failure families a word lexicon cannot express ---
    _r(
        "kicks me off",
        r"\b(?:kick|kicks|kicked|kicking|throws|threw|thrown|throwing|boots|booted|booting|logs|logged|logging|signs|signed|signing|drops|dropped|dropping|locks|locked|locking|cuts|cutting)\s+(?:me|us|you|everyone|everybody|people|him|her|them|users)\s+(?:out|off)\b",
        -1.8,
        "kick|kicks|kicked|kicking|throws|threw|thrown|throwing|boots|booted|booting|logs|logged|"
        "logging|signs|signed|signing|drops|dropped|dropping|locks|locked|locking|cuts|cutting + out|off + me|us|you|everyone|everybody|people|him|her|them|users",
    ),
    _r(
        "cuts out",
        r"\b(?:cuts|cutting|drops|dropping|dropped|conks|conked|craps|crapped|freaks|freaked|glitches|glitched|zones|zoned|blacks|blacked|greys|grays)\s+out\b|\bpaper\s+jams?\b",
        -1.3,
        "cuts|cutting|drops|dropping|dropped|conks|conked|craps|crapped|freaks|freaked|glitches|"
        "glitched|zones|zoned|blacks|blacked|greys|grays|paper + out|jam|jams",
    ),
    _r(
        "have to restart every time",
        r"\b(?:have|has|had|having|need|needs|needed)\s+to\s+(?:restart|reboot|re-?enter|re-?type|re-?login|re-?log\s+in|log\s+in\s+again|sign\s+in\s+again|reinstall|re-?install|reset|re-?pair|unplug|replug|re-?connect|reconnect|power\s+cycle)\b(?:\s+[\w'-]+){0,4}?\s+(?:every|each|again|several|multiple|twice|daily|constantly|all\s+the\s+time|\d+\s+times)\b",
        -1.4,
        "restart|reboot|re-enter|reenter|retype|re-type|relogin|re-login|log|sign|reinstall|"
        "re-install|reset|re-pair|repair|unplug|replug|reconnect|re-connect|power + every|each|"
        "again|several|multiple|twice|daily|constantly|time|times",
    ),
    _r(
        "sorted it (repair)",
        r"(?<!\bi\s)(?<!\bwe\s)\bsorted\s+(?:it|this|that|everything|me|us)(?:\s+out)?\b(?!\s+(?:by|in\s+(?:order|alphabetical)|alphabetically|ascending|descending))|\ball\s+sorted\b|\b(?:got|had|have)\s+(?:it|this|that|everything)\s+sorted\b",
        1.8,
        "sorted",
    ),
    _r(
        "hanging (freeze)",
        r"\b(?:keeps?\s+(?:on\s+)?)?hanging\b(?!\s+(?:out|around|up|on|in\s+there|with|from|over|off|onto|about))|\bhung\b(?!\s+(?:up|out|around|over|on|onto))",
        -1.3,
        "hanging|hung",
    ),
    _r(
        "times out",
        r"\b(?:times|timed|timing)\s+out\b",
        -1.4,
        "times|timed|timing + out",
    ),
    _r(
        "does it by itself",
        r"\b(?:shut|shuts|shutting|turn|turns|turned|turning|switch|switches|switched|switching|power|powers|powered|powering|reboot|reboots|rebooted|rebooting|restart|restarts|restarted|restarting|reset|resets|resetting|log|logs|logged|logging|close|closes|closed|closing|update|updates|updated|updating|revert|reverts|reverted|reverting|delete|deletes|deleted|deleting|disconnect|disconnects|disconnected|mute|mutes|muted|muting|change|changes|changed|changing|uninstall|uninstalls|uninstalled)\s+(?:(?:off|down|out)\s+)?(?:itself|themselves|on\s+(?:its|their)\s+own|by\s+itself|randomly|at\s+random)\b",
        -1.6,
        "itself|themselves|own|randomly|random",
    ),
    _r(
        "goes black",
        r"\b(?:go|goes|went|gone|going|turn|turns|turned|turning|stay|stays|stayed|staying)\s+(?:completely\s+|totally\s+|all\s+)?(?:black|blank|dark|grey|gray|haywire|berserk)\b|\b(?:black|blank|white|grey|gray)\s+(?:screens?|pages?|window)\b|\bblank\s+(?:pdfs?|documents?|scans?|prints?|printouts?|e-?mails?|attachments?|files?|labels?|wristbands?|receipts?|tickets?|reports?|sheets?)\b|\b(?:is|are|was|were|shows?|showing|comes\s+up|came\s+up)\s+(?:completely\s+|totally\s+|all\s+|just\s+|now\s+)?(?:blank|empty)\b",
        -1.5,
        "black|blank|dark|grey|gray|haywire|berserk|white|empty",
    ),
    _r(
        "spinning wheel",
        r"\b(?:spinning|loading|rainbow)\s+(?:wheel|circle|icon|beach\s?ball|cursor|dots)|\bbeach\s?balls?\w*|\bspin(?:s|ning)?\s+(?:forever|endlessly|and\s+spins?)\b",
        -1.5,
        "spinning|loading|rainbow|beachball|beach|spin|spins",
    ),
    _r(
        "takes forever",
        r"\b(?:takes?|took|taking|loads?|loading|spins?|spinning|wait|waited|waiting|boots?|booting|hangs?)\s+(?:\w+\s+)?(?:forever|ages|an\s+eternity)\b|\bforever\s+to\s+(?:load|open|boot|start|respond|sync|print|connect|log|send|save|get|reply|answer|fix)\b",
        -1.5,
        "forever|ages|eternity",
    ),
    _r(
        "stuck in a loop",
        r"\b(?:boot|reboot|login|log-?in|sign[-\s]?in|redirect|restart|update|crash|authentication|mfa)\s*(?:loop|loops|looping)\b|\bloop(?:s|ed|ing)?\s+(?:me\s+)?(?:back|around|endlessly)\b|\b(?:stuck\s+in|endless|never-?ending)\s+(?:a\s+|an\s+)?loop\b",
        -1.4,
        "loop|loops|looping|looped",
    ),
    _r(
        "greyed out / blue screen",
        r"\b(?:greyed|grayed|blanked)\s+out\b|\bblue[-\s]?screen(?:s|ed|ing)?\b|\bout\s+of\s+sync\b|\bblack\s+hole\b|\bradio\s+silence\b",
        -1.5,
        "greyed|grayed|blanked|blue|blue-screen|blue-screens|blue-screened|bluescreen|sync|hole|silence",
    ),
    _r(
        "cooling fan",
        r"\b(?:laptop|cpu|cooling|case|pc|computer|system|processor|gpu|server)\s+fans?\b|\bfans?\b(?=\s+(?:is|are|was|were|keeps|kept|runs|running|spins|spinning|constantly|always|sounds|goes|went|makes|making|noise|whirs|whirring|screams|screaming|never|gets|getting|starts|started|kicks|kicking)\b)",
        0.0,
        "fan|fans",
    ),
    _r(
        "loud and hot",
        r"\b(?:too|so|really|very|extremely|super|incredibly|constantly|always|insanely|ridiculously|unbearably|quite)\s+(?:loud|noisy|hot)\b|\b(?:gets|getting|got|runs|running|becomes|becoming|became|is|are)\s+(?:\w+\s+)?(?:loud|noisy|hot|boiling)\b|\bsounds?\s+like\s+(?:a\s+|an\s+)?(?:jet|plane|aeroplane|airplane|hair\s*dryer|hoover|vacuum|tractor|helicopter|leaf\s+blower|lawn\s*mower|rocket|turbine|washing\s+machine)",
        -1.3,
        "loud|noisy|hot|boiling|sounds|sound + laptop|laptops|fan|fans|machine|pc|computer|charger|battery|printer|phone|server|device|dock|headset|monitor|screen|adapter|tablet|desktop|it|keyboard|speaker|speakers|room|projector",
    ),
    _r(
        "issue is gone",
        r"\b(?:issues?|problems?|errors?|bugs?|glitch(?:es)?|lag|crash(?:es)?|noise|echo|flicker(?:ing)?|freez(?:ing|es)|pop-?ups?|warnings?|messages?|prompts?|complaints?|calls)(?:'s)?(?:\s+(?:is|are|has|have|seems?|finally|now|all|completely|totally)){0,3}\s+(?:been\s+)?(?:gone|disappeared|vanished|went\s+away|go(?:es)?\s+away|cleared(?:\s+up)?|stopped)\b",
        1.8,
        "gone|disappeared|vanished|away|cleared|stopped + issue|issues|problem|problems|error|errors|"
        "bug|bugs|glitch|glitches|lag|crash|crashes|noise|echo|flicker|flickering|freezing|freezes|"
        "popup|pop-up|pop-ups|popups|warning|warnings|message|messages|prompt|prompts|issue's|"
        "problem's|error's|complaint|complaints|calls",
    ),
    _r(
        "is gone",
        r"(?:\b(?:is|are|was|were|just|all|completely|suddenly|simply|have|has|been)|'s|'re)\s+(?:\w+\s+)?gone\b(?!\s+(?:down|up|well|smoothly|live|through|great|fine|are|is|for|to|home|out|on|off|into|back|by|over|ahead|now))",
        -1.3,
        "gone",
    ),
    _r(
        "nothing happens",
        r"\bnothing\s+(?:ever\s+|really\s+|much\s+|at\s+all\s+|else\s+)?(?:happens|happened|happening|has\s+happened|loads|loaded|opens|opened|prints|printed|syncs|synced|moves|moved|comes\s+(?:back|through|up)|came\s+(?:back|through|up)|gets\s+(?:done|fixed)|got\s+(?:done|fixed)|shows\s+up|showed\s+up|appears|appeared|responds|responded|downloads|saves|sends|sent|arrives|arrived|helps|helped|goes\s+through|went\s+through)\b",
        -1.6,
        "nothing",
    ),
    _r(
        "nobody owns it",
        r"\b(?:no(?:body|\s+one)|none\s+of\s+(?:you|them))\s+(?:\w+\s+)?(?:seems?\s+to\s+|wants?\s+to\s+)?(?:owns?|own\b|takes?\s+(?:ownership|responsibility)|took\s+(?:ownership|responsibility)|is\s+responsible|wants?\s+to\s+(?:own|fix|deal|help|take))\b",
        -1.5,
        "nobody|one|none + own|owns|ownership|responsibility|responsible|wants|want",
    ),
    _r(
        "had to use my phone (workaround)",
        r"\b(?:had|have|having|forced|needed)\s+to\s+(?:use|borrow|take|join\s+(?:from|on|via)|dial\s+in\s+(?:from|on|via)|hotspot|tether)\s+(?:(?:my|a|an|her|his|our|their|someone'?s|a\s+colleague'?s|my\s+colleague'?s)\s+)?(?:own|personal|private|mobile|phone|cell|home|colleague'?s?|neighbou?r'?s?|spare|old|loaner|paper|pen|hotspot|tablet|ipad|wife'?s|husband'?s|kid'?s)\b|\b(?:work|worked|working|back)\s+(?:from|on|with)\s+(?:pen\s+and\s+)?paper\b|\bpen\s+and\s+paper\b|\bpaper\s+printouts?\b",
        -1.2,
        "own|personal|private|mobile|phone|cell|home|colleague|colleague's|colleagues|neighbour|"
        "neighbour's|neighbor|neighbor's|spare|old|loaner|paper|pen|hotspot|tablet|ipad|wife's|"
        "husband's|kid's|printout|printouts + had|have|having|forced|needed|work|worked|working|back|"
        "pen|paper|printout|printouts",
    ),
    _r(
        "can't get anything done (impact)",
        r"\b(?:can'?t|cannot|can\s+not|couldn'?t|could\s+not|unable\s+to)\s+(?:even\s+|really\s+)?(?:get\s+(?:any\s*thing|any|much|my|our)\s+(?:\w+\s+)?done|do\s+(?:my|our|any)\s+(?:job|work)|work(?!\s+(?:out|on|with|from|it))|serve|help\s+(?:customers|clients|the\s+customer)|ship|invoice|bill|finish|meet\s+(?:the|our|my)\s+deadline)\b",
        -1.6,
        "done|job|work|serve|ship|invoice|bill|customers|clients|finish|deadline + " + _NEG_WORDS,
    ),
    _r(
        "without email (deprivation)",
        r"\b(?:without|with\s+no)\s+(?:any\s+|a\s+|an\s+|my\s+|our\s+|prior\s+|proper\s+|working\s+|functioning\s+|usable\s+|(?:a|any)\s+(?:working|functioning|usable)\s+)?(?:warning|notice|explanation|update|updates|feedback|eta|communication|heads[-\s]up|laptop|pc|computer|e-?mail|emails|internet|wi-?fi|network|connection|connectivity|vpn|phone|monitor|screen|printer|headset|dock|docking\s+station|keyboard|mouse|sound|audio|video|signal|power|teams|system|systems)\b",
        -1.4,
        "without|with + warning|notice|explanation|update|updates|feedback|eta|communication|heads|"
        "heads-up|laptop|pc|computer|email|e-mail|emails|internet|wifi|wi-fi|network|connection|"
        "connectivity|vpn|phone|monitor|screen|printer|headset|dock|docking|keyboard|mouse|sound|"
        "audio|video|signal|power|teams|system|systems + without|no",
    ),
    _r(
        "no email since (deprivation)",
        r"\b(?:still\s+)?no\s+(?:working\s+)?(?:laptop|pc|computer|e-?mail|emails|internet|wi-?fi|network|vpn|phone|power|signal|sound|audio|video|dial\s+tone|connection|connectivity)\s+(?:for|since|all|again|yet|today|this)\b|\bno\s+(?:explanation|eta|timeline|warning|notice|heads[-\s]up|progress|communication)\b",
        -1.4,
        "laptop|pc|computer|email|e-mail|emails|internet|wifi|wi-fi|network|vpn|phone|power|signal|"
        "sound|audio|video|dial|connection|connectivity|explanation|eta|timeline|warning|notice|"
        "heads|heads-up|progress|communication + no",
    ),
    _r(
        "repeated occurrence",
        r"\b(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|nth|umpteenth)\s+(?:\w+\s+)?(?:time|times|outage|outages|crash|crashes|reset|resets|reboot|restart|ticket|call|incident|issue|problem|failure|error|replacement|breakdown|jam|lockout|disconnect|disconnection)\s+(?:this|today|in\s+(?:a|one|the\s+same))\b",
        -1.2,
        "time|times|outage|outages|crash|crashes|reset|resets|reboot|restart|ticket|call|incident|"
        "issue|problem|failure|error|replacement|breakdown|jam|lockout|disconnect|disconnection"
        " + this|today|in",
    ),
    _r(
        "bounces back",
        r"\b(?:e-?mails?|mails?|messages?|invites?|invitations?|it|they|replies)\s+(?:keeps?\s+|all\s+|just\s+|still\s+)?(?:bounce|bounces|bouncing|bounced)(?:\s+back)?\b|\bbounce[-\s]?backs?\b|\bnon[-\s]?delivery\b",
        -1.4,
        "bounce|bounces|bouncing|bounced|bounce-back|bounce-backs|bounceback|bouncebacks|non-delivery|delivery",
    ),
    _r(
        "shows zeros",
        r"\b(?:shows?|showing|showed|displays?|displaying|says|gives|returns|reports|prints?|printing|printed|comes?\s+out|coming\s+out|came\s+out)\s+(?:me\s+|us\s+)?[\"']?(?:all\s+)?(?:zeros?|0|blank|empty|garbled|nothing(?:\s+(?:useful|relevant|helpful|of\s+use))?|(?:a|an)\s+(?:different|inconsistent)\s+\w+|(?:the|this|that)\s+error|no\s+data|gibberish|garbage|random\s+\w+|n/a|null|(?:the\s+)?(?:wrong|incorrect)\s+\w+|an?\s+error|errors)\b",
        -1.3,
        "shows|show|showing|showed|displays|display|displaying|says|gives|returns|reports|print|prints|"
        "printing|printed|comes|come|coming|came + zero|zeros|0|blank|empty|garbled|"
        "nothing|data|gibberish|garbage|random|n|null|wrong|incorrect|error|errors|different|"
        "inconsistent",
    ),
    _r(
        "goes to sleep",
        r"\b(?:go|goes|went|going|drops|dropped|dropping|falls|fell|falling)\s+(?:to\s+sleep|into\s+(?:sleep|standby|hibernation|power[-\s]sav\w+|safe\s+mode|recovery))\b|\b(?:swelled|swollen|swelling|bulging)\b",
        -1.3,
        "sleep|standby|hibernation|power|power-saving|safe|recovery|swelled|swollen|swelling|bulging",
    ),
    _r(
        "no permission (in a report)",
        r"\b(?:don'?t|do\s+not|doesn'?t|does\s+not|no\s+longer|still\s+don'?t)\s+have\s+(?:the\s+)?(?:\w+\s+)?(?:permission|permissions|access|rights|a\s+licen[cs]e)\b",
        -1.2,
        "permission|permissions|access|rights|license|licence",
        "report",
    ),
    _r(
        "night and day (improvement)",
        r"\bnight\s+and\s+day\b|\b(?:a\s+(?:massive|huge|big|real|great|major|definite|clear)\s+|a\s+)step\s+up\b|\b(?:a\s+)?world\s+of\s+difference\b|\b(?:huge|massive|big|real|great|major|vast)\s+improvement\b|\b(?:is|it's|are|now|runs|running|run|they're)\s+(?:just\s+|absolutely\s+|now\s+)?(?:flying|zooming|blazing)\b|\b(?:lightning|blazing|super|really|so)[-\s]fast\b",
        2.0,
        "night|world|improvement|flying|zooming|blazing|fast|lightning-fast|blazing-fast|super-fast|"
        "step",
    ),
    _r(
        "goes nowhere",
        r"\b(?:to|into|go|goes|went|going|vanish\w*|disappear\w*)\s+(?:nowhere|the\s+void|(?:a|the)\s+void|thin\s+air)\b|\bnowhere\s+to\s+be\s+(?:found|seen)\b|\bread[-\s]only\s+(?:since|again|for|all)\b|\b(?:is|are|been|became|went|turned|gone)\s+read[-\s]only\b",
        -1.5,
        "nowhere|void|air|read-only|readonly|read",
        "report",
    ),
    _r(
        "eats my files",
        r"\b(?:eats|ate|eaten|eating|swallows|swallowed|swallowing|mangles|mangled|mangling|chews|chewed|munches|munched)\s+(?:up\s+)?(?:(?:my|our|all\s+(?:my|our|the)|half\s+(?:my|our|the)|the|every|some|random)\s+)?(?:\w+\s+)?(?:files?|receipts?|emails?|e-mails?|mails?|work|data|documents?|docs?|paper|pages?|cards?|changes|settings|messages?|attachments?|entries|notes|contracts?|input|prints?|jobs?|tickets?|uploads?|photos?|scans?)\b",
        -1.5,
        "eats|ate|eaten|eating|swallows|swallowed|swallowing|mangles|mangled|mangling|chews|chewed|"
        "munches|munched",
    ),
    _r(
        "keeps <failing>",
        r"\bkeeps?\s+(?:on\s+)?" + _FAILING,
        -1.8,
        "keep|keeps",
    ),
    _r(
        "keeps <doing> (in a report)",
        r"\bkeeps?\s+(?:on\s+)?(?!(?:getting\s+better|improving|working|growing|helping|complimenting|praising|thanking|"
        r"recommending|smiling|using|coming\s+back)\b)[a-z]+ing\b",
        -1.3,
        "keep|keeps + " + _DEVICE_WORDS + "|calls|call|printers|apps|app|system|tool",
        "report",
    ),
    _r(
        "much harder (comparison)",
        r"\b(?:so|way|a\s+lot|loads|massively|much|far|significantly)\s+(?:much\s+)?(?:harder|slower|worse|"
        r"clunkier|buggier|more\s+(?:complicated|confusing|difficult|annoying|cumbersome|painful|"
        r"unreliable|fiddly))\b|\bharder\s+to\s+(?:use|find|navigate|read)\s+than\b",
        -2.0,
        "harder|slower|worse|clunkier|buggier|complicated|confusing|difficult|annoying|cumbersome|"
        "painful|unreliable|fiddly",
    ),
    _r(
        "less annoying (comparison)",
        r"\b(?:much\s+|far\s+|a\s+lot\s+|way\s+|so\s+much\s+)?less\s+(?:annoying|painful|frustrating|clunky|"
        r"slow|buggy|confusing|complicated|fiddly|stressful|of\s+a\s+(?:pain|hassle|headache))\b",
        1.8,
        "less + annoying|painful|frustrating|clunky|slow|buggy|confusing|complicated|fiddly|"
        "stressful|pain|hassle|headache",
    ),
    _r(
        "much faster (comparison)",
        r"\b(?:so|way|a\s+lot|loads|heaps|massively|much|far|significantly)\s+(?:much\s+)?(?:faster|quicker|easier|smoother|simpler|clearer|nicer|snappier|more\s+(?:stable|reliable|responsive|intuitive))\b",
        2.2,
        "faster|quicker|easier|smoother|simpler|clearer|nicer|snappier|stable|reliable|responsive|intuitive",
    ),
    _r(
        "during the outage (context)",
        r"\b(?:during|throughout|despite|through|in\s+spite\s+of)\s+(?:(?:the|this|that|last\s+week'?s|yesterday'?s|today'?s|our|an?|the\s+whole|[\w-]+'s)\s+(?:[\w-]+\s+){0,2}?|(?=outages|incidents|crashes|disruptions|storms))(?:outage|outages|downtime|storm|storms|power\s+cut|power\s+outage|blackout|incident|crash|disruption|issues?|problems?|migration|upgrade)\b",
        0.0,
        "during|throughout|despite|through|spite + outage|outages|downtime|incident|crash|disruption|"
        "issue|issues|problem|problems|migration|upgrade|storm|storms|cut|blackout",
    ),
    # --- service failures ---
    _r(
        "X is down",
        r"(?:\b(?:is|are|was|were|been|went|goes|going|gone|be)|'s)\s+(?:completely\s+|totally\s+|still\s+|all\s+|back\s+|now\s+|currently\s+|again\s+|apparently\s+)?down\b(?!\s+(?:to|the(?!\s+(?:whole|entire|rest|better|full|morning|afternoon|day|evening|night|weekend)\b)|with|from|by|on|in|at|a|an|here|there|low|for\s+(?:a|the|it|that|this|me|it))\b)|\bdown\s+again\b|\b(?:goes|went|go|going)\s+down\s+(?=(?:the|at|during|in|on|every|just|right|exactly|mid|twice|once|whenever|each)\b)(?!the\s+(?:hall|corridor|road|street|stairs|list|page|drain|line|rabbit|priority))|\b(?:vpn|server|servers|network|wi-?fi|internet|e-?mail|site|website|system|systems|portal|app|printer|outlook|teams|sharepoint|intranet|database|service)\s+down\b",
        -2.0,
        "down",
    ),
    _r(
        "not working",
        r"\b(?:nothing|none\s+of\s+(?:\w+\s+){0,3}?(?:is|are|was|were)?)\s*(?:\w+\s+)?work(?:s|ing|ed)?\b|\b(?:locked|kicked|logged)\s+(?:me\s+)?out\b|\b(?:"
        + _NEG
        + r"|stopped|stops|quit|quits)\s+(?:\w+\s+)?work(?:s|ing|ed)?\b(?!\s+(?:out|on|with|from|at|hard|late|tomorrow|today|overtime|here)\b)",
        -2.0,
        "work|works|working|worked|locked|kicked|logged",
    ),
    _r(
        "can't <do>",
        r"\b" + _NEG + r"\s+(?:(?:even|still|seem\s+to|be\s+able\s+to|ever)\s+)?" + _ACTION + r"\b",
        -1.6,
        _NEG_WORDS + " + " + _ACTION_WORDS,
    ),
    _r(
        "can't (inability)",
        r"\b(?:i|we|i\s+still|we\s+still|i\s+just|we\s+just|i\s+was|we\s+were|i\s+am|i'm|we\s+are|we're)\s+(?:can'?t|cannot|can\s+not|couldn'?t|could\s+not|unable\s+to)\s+(?:even\s+|seem\s+to\s+|still\s+|ever\s+)?(?!(?:wait|help|believe|stand|complain|thank|imagine|beat|recommend|miss|be|have|say|do|find|see|tell|think|understand|figure|remember|decide|go|get\s+enough|live|stop|agree)\b)[a-z]{3,}\b",
        -1.2,
        "can't|cant|cannot|couldn't|couldnt|unable|not + i|we|i'm|we're",
    ),
    _r(
        "out of order",
        r"\bout\s+of\s+(?:order|service|action)\b",
        -1.8,
        "order|service|action + out",
    ),
    _r(
        "not detected",
        r"\b(?:"
        + _NEG
        + r"|no\s+longer)\s+(?:being\s+|been\s+|be\s+)?(?:detected|recogni[sz]ed|showing(?:\s+up)?|shown|responding|syncing|synced|loading|loaded|updating|charging|booting|printing|connecting|registering|saving|saved|displaying|detecting|recogni[sz]ing|receiving|sending|opening|starting|launching|accepting|pairing|playing|scanning|installing|downloading|uploading|authenticating|ringing|turning\s+on|waking(?:\s+up)?|working|getting\s+(?:any|my|our|new|incoming|emails?|calls?|messages?|notifications?|alerts?|updates?))\b|\b(?:isn'?t|aren'?t|doesn'?t|don'?t|won'?t|can'?t|not)\s+(?:\w+\s+){0,3}?(?:anymore|any\s+more)\b",
        -1.5,
        "detected|recognised|recognized|showing|shown|responding|syncing|synced|loading|loaded|updating|charging|booting|printing|connecting|registering|saving|saved|displaying|detecting|recognising|recognizing|anymore|any|"
        "receiving|sending|opening|starting|launching|accepting|pairing|playing|scanning|installing|"
        "downloading|uploading|authenticating|ringing|turning|waking|working|getting"
        " + " + _NEG_WORDS + "|no",
    ),
    _r(
        "keeps <failing>",
        r"\b(?:again\s+and\s+again|over\s+and\s+over|every\s+(?:single\s+)?(?:time|day|morning))\b"
        r"(?=[^.!?]{0,40}\b(?:crash|freez|fail|drop|disconnect|error|down|slow|stuck))",
        -1.8,
        "again|over|every + crash|crashes|crashing|crashed|freeze|freezes|freezing|froze|frozen|fail|"
        "fails|failing|failed|failure|drop|drops|dropping|dropped|disconnect|disconnects|"
        "disconnecting|disconnected|error|errors|down|slow|stuck",
    ),
    _r(
        "still waiting",
        r"\bstill\s+(?:waiting|no\s+(?:response|reply|answer|word|update|news|fix|solution|callback|call\s+back|one)|broken|down|not\s+(?:fixed|resolved|working|done|sorted)|nothing|unresolved|pending|open|outstanding|unassigned|in\s+progress|happening|an?\s+(?:issue|problem)|the\s+same(?!\s+as\b)|having\s+(?:the\s+same\s+)?(?:issues?|problems?|trouble)|getting\s+(?:the\s+)?(?:same\s+)?(?:error|errors|issue|problem)|can'?t|cannot|isn'?t|doesn'?t|won'?t|slow|don'?t|do\s+not|didn'?t|did\s+not|haven'?t|hasn'?t|have\s+not|has\s+not|(?:crash|freez|drop|fail|disconnect|hang|lag|error|time)(?:s|es|ing|ed)?(?:\s+out)?)\b",
        -2.0,
        "still",
    ),
    _r(
        "no response",
        r"\b(?:no(?:body|\s+one)\s+(?:has\s+|have\s+|is\s+|was\s+)?(?:ever\s+|even\s+)?(?:been\s+in\s+touch|got\s+in\s+touch|gotten\s+in\s+touch|acknowledged|acknowledges|read|looking|looked|working\s+on|answers?|answered|responds?|responded|repl(?:y|ies|ied)|calls?|called|got\s+back|gets\s+back|came|comes|showed\s+up|helps?|helped|cares?|knows?|seems\s+to\s+know|bothered|followed\s+up|picks?\s+up|picked\s+up)|no\s+(?:response|reply|answer|callback|call\s+back|update|follow[-\s]?up|feedback|word)s?\s+(?:yet|since|from|after|for|in|at\s+all)|never\s+(?:got|get|heard|hear|received?|responded|replied|answered|called|came|showed|arrived|resolved|got\s+back)|(?:hasn'?t|haven'?t|has\s+not|have\s+not|didn'?t|did\s+not)\s+(?:heard|received|gotten|responded|replied|answered|called|got\s+back|been\s+(?:fixed|resolved|answered|contacted|touched|assigned|looked\s+at)))\b",
        -1.6,
        "nobody|no|one|never|hasn't|hasnt|haven't|havent|didn't|didnt|not + looking|looked|working|"
        "answers|answer|answered|responds|respond|responded|reply|replies|replied|calls|call|called|"
        "got|get|gets|came|comes|showed|helps|help|helped|cares|care|knows|know|seems|bothered|"
        "followed|picks|pick|picked|response|responses|callback|callbacks|update|updates|follow-up|"
        "followup|feedback|word|words|heard|hear|received|receive|receives|gotten|been|arrived|arrive|"
        "resolved|fixed|contacted|touched|assigned|showed|show|shows|acknowledged|acknowledges|read|"
        "touch",
    ),
    _r(
        "closed without fixing",
        r"\b(?:closed|closing|closes|close|resolved|marked\s+(?:as\s+)?(?:resolved|closed|done|fixed|complete))\b[^.!?]{0,40}?\b(?:without|but|even\s+though|although|though|yet|while|before)\b[^.!?]{0,30}?\b(?:fix\w*|resolv\w*|solv\w*|contact\w*|ask\w*|talk\w*|check\w*|respon\w*|repl\w*|still|not|nothing|isn'?t|wasn'?t|never|any)\b",
        -2.2,
        "closed|closing|closes|close|resolved|marked",
    ),
    _r(
        "on hold / hung up",
        r"\b(?:on\s+hold|(?:hung|hanged|hanging|hangs|hang)\s+up\s+on|hung\s+up|put\s+me\s+on\s+hold|run\s*around|passed\s+(?:around|between|back\s+and\s+forth)|bounced\s+(?:around|between|back\s+and\s+forth))\b",
        -1.3,
        "hold|hung|hanged|hanging|hangs|hang|run|runaround|passed|bounced",
    ),
    _r(
        "hours of waiting",
        r"\b(?:took|takes|taking|take|wasted|waited|waiting|wait|spent|been)\s+(?:for\s+)?(?:almost\s+|nearly\s+|over\s+|more\s+than\s+)?(?:"
        + _COUNT
        + r"?\s*(?:hours?|hrs?|days|weeks|months|minutes|mins)|(?:an|a|one|half\s+an)\s+(?:hour|hr|day|week|month))\b",
        -0.9,
        "hour|hours|hrs|hr|day|days|week|weeks|month|months|minutes|mins + took|takes|taking|take|"
        "wasted|waited|waiting|wait|spent|been",
    ),
    # "after 2 minutes" is a wait in a report, a setting in a question ("Are tablets supposed
    # to lock after 2 minutes?")
    _r(
        "after hours of waiting (in a report)",
        r"\b(?:after(?!\s+hours\b)|over)\s+(?:almost\s+|nearly\s+|over\s+|more\s+than\s+)?(?:"
        + _COUNT
        + r"?\s*(?:hours?|hrs?|days|weeks|months|minutes|mins)|(?:an|a|one|half\s+an)\s+(?:hour|hr|day|week|month))\b",
        -0.9,
        "hour|hours|hrs|hr|day|days|week|weeks|month|months|minutes|mins + after|over",
        "report",
    ),
    # A bare "for two weeks" is a wait in a report, but a planned span in a request
    # ("Need a temporary account for two weeks").
    _r(
        "for hours (in a report)",
        r"\bfor\s+(?:almost\s+|nearly\s+|over\s+|more\s+than\s+)?(?:"
        + _COUNT
        + r"?\s*(?:hours?|hrs?|days|weeks|months|minutes|mins)|(?:an|a|one|half\s+an)\s+(?:hour|hr|day|week|month))\b",
        -0.9,
        "hour|hours|hrs|hr|day|days|week|weeks|month|months|minutes|mins + for",
        "report",
    ),
    _r(
        "ask for a person",
        r"\b(?:speak|talk|get\s+through)\s+(?:to|with)\s+(?:a\s+|an\s+)?(?:real\s+|live\s+|actual\s+)?(?:human(?:\s+being)?|person|supervisor|manager)\b",
        -1.0,
        "speak|talk|through + human|person|supervisor|manager",
    ),
    _r(
        "was told",
        r"\b(?:i\s+was|we\s+were|i\s+got|was|were|been|keep\s+getting|keeps?\s+getting)\s+told\b",
        -0.8,
        "told",
    ),
    _r(
        "supposed to",
        r"\b(?:was|were|is|are|it's|was\s+meant|were\s+meant)\s+supposed\s+to\b",
        -1.0,
        "supposed",
    ),
    _r(
        "duration",
        r"\b\d+(?:\.\d+)?\+?\s*-?(?:hours?|hrs?|mins?|minutes)\b",
        -0.9,
        "",
        "report",
        gate=("hour", "hr", "min"),
    ),
    _r(
        "would have been better",
        r"\b(?:would|could|should)(?:\s+have|'ve|\s+of)\s+been\s+(?:much\s+|so\s+|a\s+lot\s+|far\s+)?(?:better|nice|great|good|helpful|appreciated|easier|useful)\b",
        -1.0,
        "been + better|nice|great|good|helpful|appreciated|easier|useful",
    ),
    _r(
        "a joke",
        r"\b(?:what|is|such|a|total|complete|absolute|biggest)\s+(?:a\s+)?joke\b",
        -1.8,
        "joke",
    ),
    _r(
        "didn't bother",
        r"\b(?:didn'?t|did\s+not|never|won'?t|doesn'?t|don'?t)\s+(?:even\s+)?bother(?:ed)?\s+to\b",
        -1.2,
        "bother|bothered",
    ),
    _r(
        "still hasn't <happened>",
        r"\b(?:hasn'?t|haven'?t|hadn'?t|has\s+not|have\s+not|still\s+(?:not|no|haven'?t|hasn'?t))\s+(?:\w+\s+)?(?:been\s+)?(?:\w+ed|got|gotten|heard|left|come|shown|found)\b",
        -1.4,
        "hasn't|hasnt|haven't|havent|hadn't|hadnt|has|have|still + not|hasn't|hasnt|haven't|havent|hadn't|hadnt|no",
    ),
    _r(
        "step backwards",
        r"\bstep\s+(?:backwards?|back)\b|\b(?:downgrade|regression)\b",
        -1.5,
        "step|downgrade|regression",
    ),
    _r(
        "let down",
        r"\blet(?:s|ting)?\s+(?:me|us|you|them|him|her|everyone|customers|people|everybody)\s+down\b|\b(?:a|such\s+a|what\s+a|big|total|real)\s+let[\s-]?down\b|\bletdown\b",
        -1.8,
        "let|lets|letting|letdown|let-down + down|letdown|let-down",
    ),
    _r(
        "have yet to",
        r"\b(?:have|has|had|are|is|am|was|were)\s+(?:still\s+)?yet\s+to\b",
        -1.2,
        "yet",
    ),
    # --- v6 families ---
    _r(
        "is <failing>",
        r"\b(?:is|are|was|were|been|'s|'re)\s+(?:constantly\s+|always\s+|still\s+|randomly\s+|now\s+|"
        r"just\s+|suddenly\s+)?" + _FAILING,
        -1.8,
        "crashing|freezing|failing|dropping|disconnecting|restarting|rebooting|hanging|timing|logging|kicking|locking|losing|breaking|erroring|going|cutting|shutting|jamming|lagging|buffering|spinning|glitching|getting",
        "report",
    ),
    _r(
        "worked before",
        r"\b(?:worked|was\s+working|used\s+to\s+work)\s+(?:fine\s+|perfectly\s+|ok\s+|okay\s+|great\s+|"
        r"without\s+(?:any\s+)?(?:issues?|problems?)\s+)?(?:before|until|last\s+(?:week|month|year|time)|"
        r"yesterday|earlier|previously)\b",
        -1.8,
        "worked|working|work + before|until|last|yesterday|earlier|previously",
    ),
    _r(
        "why does it take",
        r"\bwhy\s+(?:does|did|do|is|should|are|must)\s+(?:(?:it|this|everything|something\s+so\s+simple)\s+|"
        r"(?:the|my|our|every|each)\s+(?:[\w-]+\s+){0,3}?)"
        r"(?:take|need|needs|require|always|keep|keeps|still|have\s+to\s+take|disconnect|crash|freeze|"
        r"drop|fail|stop|hang|lag|log\s+(?:me|us)\s+out|kick\s+(?:me|us)\s+out|reset|forget|lose|break|"
        r"reboot|restart|update|change|move|log|sign|freeze)\b",
        -1.6,
        "why + take|need|needs|require|always|keep|keeps|still|disconnect|crash|freeze|drop|fail|"
        "stop|hang|lag|log|kick|reset|forget|lose|break|reboot|restart|update|change|move|sign",
    ),
    _r(
        "keep it up",
        r"\bkeep\s+(?:it\s+up|up\s+the\s+(?:good|great|excellent)\s+work)\b|\bmore\s+of\s+(?:that|this)\b",
        2.0,
        "keep|more + up|that|this",
    ),
    _r(
        "on time",
        r"\b(?:on\s+time|in\s+good\s+time|ahead\s+of\s+schedule)\b",
        1.0,
        "time|ahead + on|good|schedule",
        "report",
    ),
    _r(
        "green again",
        r"\b(?:is|are|'s|went|turned|back\s+to)\s+(?:all\s+)?green(?:\s+(?:again|now))?\b",
        1.5,
        "green",
    ),
    _r(
        "worked first time",
        r"\bworked\s+(?:on\s+the\s+|the\s+)?first\s+(?:try|time|go|attempt)\b",
        1.8,
        "worked + first",
    ),
    _r(
        "in the middle of a call",
        r"\bin\s+the\s+middle\s+of\s+(?:a|an|my|our|the)\s+(?:\w+\s+){0,2}?(?:call|meeting|presentation|demo|"
        r"webinar|interview|exam|training|pitch|close|shift)\b",
        -1.5,
        "middle",
        "report",
    ),
    _r(
        "thumbs up",
        "\U0001f44d[\U0001f3fb-\U0001f3ff]?",
        1.8,
        "",
    ),
    # eye roll, unamused face: irony and annoyance
    _r("eye roll (irony)", "[\U0001f644\U0001f612]", -1.8, ""),
    # raising hands: celebration
    _r("raising hands", "\U0001f64c[\U0001f3fb-\U0001f3ff]?", 1.8, ""),
    # folded hands: thanks after help, but "please" in a request
    _r("folded hands (thanks)", "\U0001f64f[\U0001f3fb-\U0001f3ff]?", 1.8, "", "report"),
    _r("thumbs down", "\U0001f44e[\U0001f3fb-\U0001f3ff]?", -1.8, ""),
    # the upside-down face is irony in workplace chat ("Thanks for closing it 🙃")
    _r("upside-down face (irony)", "\U0001f643", -1.8, ""),
    _r(
        "logs me out",
        # not asked for: "please log me out", "can you sign us off"
        r"(?<!please\s)(?<!pls\s)(?<!kindly\s)(?<!\bto\s)(?<!\byou\s)(?<!\bu\s)"
        r"\b(?:logs?|logging|kicks?|kicking|locks?|locking|signs?|signing|throws?|throwing|threw|"
        r"boots?|booted|booting)\s+(?:me|us)\s+(?:out|off)\b",
        -2.0,
        "log|logs|logging|kick|kicks|kicking|lock|locks|locking|sign|signs|signing|throw|throws|"
        "throwing|threw|boot|boots|booted|booting + me|us + out|off",
    ),
    _r(
        "heard nothing",
        r"\b(?:heard|hear|got|received|get)\s+nothing\s+(?:from|back|at\s+all|until|for)\b",
        -1.6,
        "heard|hear|got|received|get + nothing",
    ),
    _r(
        "it came back",
        r"\b(?:but|and|then|now|until|since)\s+(?:it|this|that|the\s+(?:issue|problem|error|bug|fault|"
        r"crash(?:es)?|noise|message|warning|pop-?up))\s+(?:came|comes|has\s+come|is|'s|was|keeps\s+coming)"
        r"\s+back\b|\b(?:issue|problem|error|bug|fault)\s+(?:is|has|came|comes)\s+(?:come\s+)?back\b|"
        r"'s\s+back\s+again\b",
        -2.0,
        "back + but|and|then|now|until|since|issue|problem|error|bug|fault|again|it's|its",
    ),
    _r(
        "known issue",
        r"\bknown\s+(?:issue|problem|bug|limitation|fault)s?\b",
        -1.5,
        "known",
        "report",
    ),
    _r(
        "when will it be fixed",
        r"\bwhen\s+(?:will|is|can\s+(?:we|i)\s+expect|are\s+you\s+going\s+to\s+(?:get|have))\s+"
        r"(?:it|this|that|the\s+\w+(?:\s+\w+)?)\s+(?:actually\s+|ever\s+|finally\s+|going\s+to\s+)?"
        r"(?:be\s+|get\s+)?(?:fixed|resolved|sorted|solved|working|back\s+up|repaired)\b",
        -1.6,
        "when + fixed|resolved|sorted|solved|working|back|repaired",
    ),
    _r(
        "no matter what",
        r"\bno\s+matter\s+(?:what|how)\s+(?:i|we|you|u|people)\b",
        -1.5,
        "matter",
    ),
    _r(
        "who picked this",
        r"\bwho\s+(?:on\s+earth\s+|the\s+hell\s+)?(?:picked|chose|approved|decided\s+on|bought|designed|"
        r"signed\s+off|thought\s+(?:this|that|it)\s+was)\b",
        -1.5,
        "who + picked|chose|approved|decided|bought|designed|signed|thought",
    ),
    _r(
        "not very (reply)",
        r"(?:^|(?<=[.!?]))\s*not\s+(?:very|really|much|at\s+all|so\s+much|particularly)\s*[.!]*\s*$",
        -1.5,
        "not + very|really|much|all|so|particularly",
    ),
    _r(
        "is working",
        r"\b(?:is|are|'s)\s+(?:all\s+|now\s+|finally\s+|back\s+)?working"
        r"(?:\s+(?:fine|well|properly|perfectly|great|normally|smoothly|again|now))?\s*(?=[,.!;:)]|$)",
        1.6,
        "working",
        "report",
    ),
    _r(
        "rating (good)",
        r"(?<![\d/])\b(?:10|9)\s*/\s*10\b(?!\s*/)|(?<![\d/])\b5\s*/\s*5\b(?!\s*/)|\b(?:five|5)\s+stars?\b",
        2.5,
        "10|9|5|five + 10|5|star|stars",
        gate=("/", "star"),
    ),
    _r(
        "rating (poor)",
        r"(?<![\d/])\b[0-4]\s*/\s*10\b(?!\s*/)|(?<![\d/])\b[01]\s*/\s*5\b(?!\s*/)|"
        r"\b(?:one|1|zero|0|no)\s+stars?\b",
        -2.5,
        "0|1|2|3|4|one|zero|no + 10|5|star|stars",
        gate=("/", "star"),
    ),
    _r(
        "like (filler)",
        r"\blike\s+(?=(?:\d+|an?|half\s+an|two|three|four|five|ten|twenty|thirty|forty)\s*"
        r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)\b)",
        0.0,
        "like + second|seconds|secs|sec|minute|minutes|mins|min|hour|hours|hrs|hr|day|days|week|weeks",
    ),
    _r(
        "nice one (sarcasm)",
        r"(?:^|(?<=[.!?]))\s*(?:nice|great|good|well|brilliant)\s+(?:one|job|work|done|going)"
        r"(?:\s+(?:guys|team|it|folks|everyone|there))?\s*[.!]*\s*$",
        2.5,
        "nice|great|good|well|brilliant + one|job|work|done|going",
        "sarcasm",
    ),
    _r(
        "less than <good>",
        r"\bless\s+than\s+(?:helpful|ideal|impressed|stellar|satisfied|pleased|happy|great|good|friendly|professional|perfect|pleasant|thrilled|accommodating|satisfactory|useful)\b",
        -1.6,
        "less",
    ),
    _r(
        "N times (repeated effort)",
        r"\b(?:called|call|calling|tried|try|trying|asked|ask|emailed|tweeted|messaged|rebooked|reported|contacted|phoned|rang|reset|restarted|rebooted|submitted|reassigned|escalated|transferred|forwarded|bounced|passed|reopened|re-opened|chased|followed\s+up|raised|resent|re-sent|reinstalled|re-installed|moved)\s+(?:\w+\s+){0,3}?(?:multiple|several|numerous|countless|many|\d+|two|three|four|five|six|seven|ten|a\s+dozen|a\s+million|a\s+hundred)\s+(?:times|x)\b|\bfor\s+the\s+(?:third|fourth|fifth|sixth|nth|\d+(?:rd|th))\s+time\b",
        -1.3,
        "times|x|third|fourth|fifth|sixth|nth|3rd|4th|5th|6th|7th|8th|9th|10th + called|call|calling|"
        "tried|try|trying|asked|ask|emailed|tweeted|messaged|rebooked|reported|contacted|phoned|rang|"
        "reset|restarted|rebooted|submitted|reassigned|escalated|transferred|forwarded|bounced|"
        "passed|reopened|re-opened|chased|followed|raised|resent|re-sent|reinstalled|re-installed|"
        "moved|for",
    ),
    _r(
        "gave up / never again",
        r"\b(?:gave|given|giving|give)\s+up\b(?!\s+(?:my|our|his|her|their|the|a|an|your|smoking|on\s+(?:me|us|you)))|\bnever\s+(?:\w+\s+){0,6}?(?:again|anymore)\b|\b(?:no|zero|not\s+a)\s+clue\b",
        -1.3,
        "gave|given|giving|give|never|clue + up|again|anymore|clue",
    ),
    _r(
        "not <x> enough",
        r"\b(?:not|isn'?t|aren'?t|wasn'?t|weren'?t|never)\s+(?:\w+\s+)?enough\b",
        -1.3,
        "enough",
    ),
    # "why" aimed at a person or a failure is a grievance ("why can't I...", "why did my
    # flight..."); an explanatory "that's why I" is not.
    _r(
        "why (complaint)",
        r"(?<!that's\s)(?<!thats\s)(?<!\bis\s)(?<!was\s)(?<!reason\s)(?<!exactly\s)\bwhy\s+(?:on\s+earth\s+|the\s+hell\s+)?(?:\w+\s+)?(?:i|me|my|we|us|our|you|your|u|ur|y'?all|they|their|nobody|no\s+one|can'?t|won'?t|isn'?t|doesn'?t|don'?t|didn'?t|haven'?t|hasn'?t|wasn'?t|aren'?t|wouldn'?t|couldn'?t|so|always|still|never)\b",
        -1.0,
        "why",
    ),
    _r(
        "where is my",
        r"\bwhere\s+(?:is|are|the\s+hell\s+is|'s)\s+(?:my|our)\b|\bwhere'?s\s+(?:my|our)\b",
        -1.0,
        "where|where's|wheres",
    ),
    _r(
        "best way to (question)",
        r"\b(?:what'?s|what\s+is|which\s+is|is\s+there\s+a|the)\s+best\s+(?:way|practice|option|time|place|approach|method|tool|app|person|contact|channel)\b",
        0.0,
        "best + way|practice|option|time|place|approach|method|tool|app|person|contact|channel",
    ),
    _r(
        "would be nice if (wish)",
        r"\b(?:it\s+)?would\s+be\s+(?:really\s+|very\s+|so\s+)?(?:great|nice|helpful|good|lovely|awesome|wonderful|useful)\s+(?:if|to)\b",
        0.0,
        "would + great|nice|helpful|good|lovely|awesome|wonderful|useful",
    ),
    # A device or service that does not do something: after the specific rules above, and
    # only in a text that names a device or service and is not a request.
    _r(
        "it doesn't <do> (in a report)",
        r"(?<!\bi\s)(?<!\byou\s)(?<!\bwe\s)(?<!\bu\s)\b(?:doesn'?t|does\s+not|won'?t|will\s+not|didn'?t|did\s+not|can'?t|cannot|couldn'?t|wouldn'?t|don'?t)\s+(?:even\s+|always\s+|really\s+|properly\s+|reliably\s+)?(?!(?:know|think|mind|care|want|need|matter|like|love|worry|forget|remember|understand|believe|agree|recommend|expect|mean|wait|hesitate|seem|appear|apply|hurt|help|bother|deserve|get|look|sound|feel|make|cost|have|take|be|affect|include|require|change|contain|happen|count|stop|mention|say|tell|hear|blame|disagree|panic|miss|waste|judge|fault|complain|regret|doubt|go|use|give|play|buy|lie|laugh|ask|sleep|leave|figure|beat|excuse|offer|allow|even|just|ever|really|always|the|you|she|he|they|and|suppose|wanna|gonna|trust|worry|fix)\b)[a-z]{3,}\b",
        -1.1,
        "doesn't|doesnt|does|won't|wont|will|didn't|didnt|did|can't|cant|cannot|couldn't|couldnt|"
        "wouldn't|wouldnt|don't|dont + not|doesn't|doesnt|won't|wont|didn't|didnt|can't|cant|"
        "cannot|couldn't|couldnt|wouldn't|wouldnt|don't|dont + " + _DEVICE_WORDS,
        "report",
    ),
    # --- repairs ---
    _r(
        "works again/now",
        r"\b(?:(?:now\s+)?work(?:s|ing|ed)\s+(?:again|now|fine|great|perfectly|well|properly|flawlessly|"
        r"beautifully|like\s+a\s+charm|a\s+treat)|now\s+work(?:s|ing)|(?:it|that|this)\s+worked|"
        r"(?:everything|it\s+all|all)\s+(?:simply\s+|just\s+|actually\s+)?worked)\b",
        1.9,
        "work|works|working|worked + again|now|fine|great|perfectly|well|properly|flawlessly|"
        "beautifully|charm|treat|it|that|this|everything|all",
    ),
    _r(
        "works again/now",
        r"\b(?:(?:is|are|'s|was)\s+back\s+(?:up|online|to\s+normal|in\s+business)|back\s+up\s+and\s+running|"
        r"up\s+and\s+running|back\s+to\s+normal)\b",
        1.9,
        "back|running + up|online|normal|business|running",
    ),
    _r(
        "works again/now",
        r"\b(?:all\s+good|(?:all\s+)?sorted(?:\s+(?:it|that))?(?:\s+out)?\s+now|sorted\s+(?:it\s+|that\s+)?out|"
        r"(?:did|does)\s+the\s+trick|good\s+as\s+new|(?:fixed|resolved|solved|sorted)\s+now)\b",
        1.9,
        "good|sorted|trick|fixed|resolved|solved + all|now|out|did|does|new",
    ),
    _r(
        "problem fixed",
        r"\b(?:problem|issue|it|that|this|everything)\s+(?:is\s+|was\s+|got\s+|has\s+been\s+|have\s+been\s+)?(?:now\s+)?(?:fixed|solved|resolved|sorted)\b(?!\s+(?:yet|soon))",
        1.9,
        "fixed|solved|resolved|sorted",
    ),
    _r(
        "above and beyond",
        r"\babove\s+and\s+beyond\b|\bspot[\s-]+on\b|\bhats?\s+off\b|\bprops\s+to\b|\blife[\s-]+saver\b|\bsaved\s+(?:my|our|the)\s+(?:day|life|lives|bacon|skin|neck|sanity|morning|afternoon|evening|week|weekend|presentation|deadline|meeting|demo)\b|\b(?:without|no)\s+(?:a\s+|any\s+)?hitch(?:es)?\b",
        2.4,
        "beyond|spot|spot-on|hat|hats|props|life|life-saver|saved|hitch|hitches",
    ),
    _r(
        "without any issues",
        r"\bwithout\s+(?:any\s+|a\s+single\s+|a\s+|much\s+)?(?:issues?|problems?|errors?|hiccups?|glitch(?:es)?|trouble|complaints?|fuss|hassle|drama|downtime|interruptions?)\b",
        1.8,
        "without",
    ),
    _r(
        "kept us informed",
        r"\b(?:kept|keeping)\s+(?:us|me|everyone|everybody|them|people|the\s+team)\s+(?:well\s+|fully\s+|regularly\s+)?(?:updated|informed|posted|in\s+the\s+loop|up\s+to\s+date)\b",
        1.6,
        "kept|keeping",
    ),
    _r(
        "behaving again",
        r"\b(?:behaving|printing|syncing|connecting|loading|running|responding|booting|charging|sending|receiving|scanning|showing)\s+(?:up\s+|smoothly\s+|fine\s+|well\s+|properly\s+|normally\s+)?(?:again|now|normally|properly|perfectly|correctly|as\s+(?:normal|expected|it\s+should))\b|\b(?:can|could|able\s+to)\s+(?:finally\s+|now\s+|once\s+more\s+)?"
        + _ACTION
        + r"\s+(?:again|now|fine|properly|normally)\b|\bfinally\s+(?:work\w*|fixed|sorted|resolved|solved|back|smooth|fast|stable|arrived|here|done|up\s+and\s+running)\b",
        1.8,
        "again|normally|properly|perfectly|correctly|expected|normal|now|fine|finally + behaving|"
        "printing|syncing|connecting|loading|running|responding|booting|charging|sending|receiving|"
        "scanning|showing|can|could|able|finally",
    ),
    _r(
        "crystal clear",
        r"\bcrystal[-\s]+clear\b|\b(?:sound|audio|picture|video|image|call|calls|voice|voices|display|screen|print|prints)\s+(?:quality\s+)?(?:is|are|was|were|sounds?|looks?)\s+(?:really\s+|so\s+|very\s+|nice\s+and\s+|perfectly\s+|much\s+|super\s+)?(?:clear|sharp|crisp)\b",
        2.0,
        "crystal|crystal-clear|clear|sharp|crisp",
    ),
    _r(
        "quiet device",
        r"\b(?:is|are|was|were|so|really|very|nice\s+and|super|much|whisper|runs|run|running)\s+(?:\w+\s+)?quiet(?:er)?\b",
        1.5,
        "quiet|quieter + "
        + _DEVICE_WORDS
        + "|printers|fans|fan|headsets|phones|monitors|machines|pcs",
    ),
    _r(
        "a breeze",
        r"(?:\b(?:is|was|are|were|been|it's|its|what)|'s)\s+(?:an?\s+)?(?:absolute\s+|real\s+|total\s+|such\s+a\s+)?(?:beast|rocket|breeze|game[-\s]?changer|godsend)\b",
        2.0,
        "beast|rocket|breeze|game|game-changer|gamechanger|godsend",
    ),
    _r("well done", r"\bwell\s+done\b|\bnice\s+one\b", 2.4, "done|one + well|nice"),
    _r("rock solid", r"\brock[\s-]+(?:solid|steady)\b", 2.2, "rock"),
    _r(
        "you rock",
        r"\b(?:you|u|ya|y'?all|guys|team|crew|staff|folks)\s+(?:guys\s+|all\s+)?(?:rock|rocks|rocked)\b",
        2.6,
        "rock|rocks|rocked",
    ),
    _r(
        "top notch",
        r"\btop[\s-]+(?:notch|class)\b|\bfirst[\s-]+rate\b|\bshout[\s-]?outs?\b",
        2.3,
        "notch|class|rate|shout|shoutout|shoutouts|shout-out",
    ),
    _r(
        "top notch",
        r"\btop\s+(?:service|support|job|work|marks)\b|\b(?:miles|streets|leagues)\s+(?:ahead|better)\b|"
        r"\bleaps\s+and\s+bounds\b|\bhead\s+and\s+shoulders\s+above\b|\bno\s+notes\b|"
        r"\bknows?\s+(?:their|his|her|your|the)\s+stuff\b",
        2.3,
        "top|miles|streets|leagues|leaps|shoulders|notes|stuff + service|support|job|work|marks|"
        "ahead|better|bounds|above|no|know|knows",
    ),
    _r(
        "looking forward",
        r"\b(?:looking|look|looked)\s+forward\s+to\b(?!\s+(?:your|hearing|a\s+(?:reply|response)))",
        1.6,
        "forward",
    ),
    _r(
        "can't wait",
        # "this cannot wait until tomorrow" is urgency, not excitement
        r"(?<!this\s)(?<!it\s)(?<!that\s)\b(?:can'?t|cannot|can\s+not)\s+wait\b(?!\s+(?:until|till|til|any\s+longer|longer)\b)",
        2.0,
        "can't|cant|cannot|can + wait",
    ),
    _r(
        "no issues since",
        r"\bno\s+(?:more\s+|further\s+|real\s+)?(?:[\w-]+\s+)?(?:issues?|problems?|errors?|crash(?:es)?|complaints?|glitch(?:es)?|trouble|hiccups?|drops?|dropouts?|outages?|freezes|disconnects|disconnections|lag|reboots|restarts|timeouts|pop-?ups|headaches|bsods?|blue\s+screens)\s+(?:since|after|so\s+far|at\s+all|anymore|any\s+more|now|today|this\s+week|with\s+(?:it|the|my))\b",
        1.8,
        "no + since|after|far|all|anymore|more|now|today|week|with",
    ),
    _r(
        "no longer failing",
        r"\bno\s+longer\s+(?:crash\w*|freez\w*|fail\w*|broken|down|slow|an?\s+(?:issue|problem)|disconnect\w*|drop\w*|lag\w*|hang\w*|getting\s+(?:errors?|kicked|logged))",
        1.6,
        "longer",
    ),
    # --- v7: relief and speed ---
    _r(
        "clear updates (communication)",
        r"\b(?:communication|communications|comms|updates?|emails?|e-mails?|instructions|explanations?|"
        r"notices?|notifications?|messages?|guide|guides|documentation|status\s+page|announcements?|"
        r"briefing|session|training|onboarding|induction|process|setup|set-up|handover|rollout|"
        r"roll-out)\s+(?:\w+\s+){0,3}?(?:was|were|is|are|has\s+been|have\s+been)\s+"
        r"(?:really\s+|very\s+|so\s+|super\s+|nice\s+and\s+|always\s+|actually\s+|extremely\s+|"
        r"genuinely\s+)?(?:clear|helpful|useful|timely|informative|excellent|great|spot\s+on|"
        r"easy\s+to\s+follow|interesting|engaging|thorough|frequent|regular|prompt)\b",
        1.8,
        "clear|helpful|useful|timely|informative|excellent|great|spot|easy|interesting|engaging|"
        "thorough|frequent|regular|prompt + communication|communications|comms|update|updates|"
        "email|emails|e-mail|e-mails|instructions|explanation|explanations|notice|notices|"
        "notification|notifications|message|messages|guide|guides|documentation|page|"
        "announcement|announcements|briefing|session|training|onboarding|induction|process|setup|"
        "set-up|handover|rollout|roll-out",
    ),
    _r(
        "is back (relief)",
        r"\b(?:" + _DEVICE_WORDS + r"|everything|all|service|services|system|systems|site|internet|"
        r"wi-fi|connection|access|power|signal|sound|audio)\s+(?:is|are|'s|'re|came|come|comes|has\s+come|"
        r"have\s+come)\s+(?:finally\s+|now\s+|all\s+)?back\b(?!\s+(?:to\s+square|again|to\s+(?:being|its|their)\s+"
        r"(?:old|usual)|down|off|offline))",
        1.8,
        "back + " + _DEVICE_WORDS + "|everything|all|service|services|systems|site|internet|"
        "connection|access|power|signal|sound|audio",
    ),
    _r(
        "was quick (speed praise)",
        r"\b(?:was|were|is|are|been|so|very|really|super|incredibly|amazingly|pleasantly|remarkably|"
        r"impressively|nice\s+and)\s+(?:\w+\s+)?(?:quick|fast|prompt|speedy|swift|"
        r"straightforward|hassle-free)\b(?!\s+(?:to\s+(?:blame|close|dismiss|point|say)|question))",
        1.8,
        "quick|fast|prompt|speedy|swift|straightforward|hassle-free",
        "report",
    ),
    _r(
        "phew (relief)",
        r"\b(?:phew|whew|what\s+a\s+relief|such\s+a\s+relief|huge\s+relief|big\s+relief|so\s+relieved|"
        r"relieved)\b",
        1.8,
        "phew|whew|relief|relieved",
    ),
    # --- IT senses that are not emotion ---
    _r(
        "kill the process",
        r"\b(?:kill|killed|killing|kills)\s+(?:the\s+|a\s+|that\s+|this\s+|my\s+|all\s+)?(?:\w+\s+)?(?:process(?:es)?|task|tasks|job|jobs|session|sessions|app|application|query|thread|pid|service|server|container|switch|command)\b",
        0.0,
        "kill|killed|killing|kills",
    ),
    _r(
        "critical update",
        r"\bcritical\s+(?:security\s+)?(?:update|updates|patch|patches|fix|path|section|system|systems|infrastructure|server|servers|application|applications|release|hotfix|alert|alerts|priority)\b",
        0.0,
        "critical",
    ),
    _r(
        "free up space",
        r"\bfree\s+(?:up|space|disk|memory|trial|license|licence|version|tier|text|form)\b|\b(?:hands|handsfree|hands-free)\b",
        0.0,
        "free|hands|handsfree|hands-free",
    ),
    _r("as well", r"\bas\s+well(?:\s+as)?\b", 0.0, "well"),
    # "like" as a comparison or in a request ("looks like", "like a", "would like") is no praise
    _r(
        "like (comparison)",
        r"\b(?:(?:looks?|looked|looking|seems?|seemed|sounds?|sounded|feels?|felt|just|something|things|stuff|more|much|exactly|would|'d)\s+like|like\s+(?=(?:a|an|the|this|that|these|those|it|when|how|what|to|in|on|with|if|me|him|us|them|my|your|his|her|our|their)\b))\b",
        0.0,
        "like",
    ),
    _r("in progress", r"\bin\s+progress\b", 0.0, "progress"),
    _r("kind regards", r"\b(?:kind|best|warm|warmest)\s+regards\b", 0.0, "regards"),
)

# Built-in rules without needles whose pattern needs a digit: skipped for texts without one.
DIGIT_RULES = frozenset({"duration"})
# Needle-less rules that can only match a text holding one of these emoji.
EMOJI_RULES = frozenset(
    {
        "thumbs up",
        "thumbs down",
        "eye roll (irony)",
        "raising hands",
        "folded hands (thanks)",
        "upside-down face (irony)",
    }
)
# the emoji those rules score: kept as they are when the other emoji are described in words
RULE_EMOJI = frozenset("\U0001f44d\U0001f44e\U0001f612\U0001f64c\U0001f64f\U0001f643\U0001f644")
EMOJI = re.compile("[" + "".join(sorted(RULE_EMOJI)) + "]")

# Every REQUEST_CUE match but "?" holds one of these words: a cheap pre-check on a text's
# words (keep the two together).
REQUEST_WORDS = frozenset(
    "please pls plz kindly could can would will need needs i'd like requesting request possible how".split()
)
REQUEST_CUE = re.compile(
    r"\b(?:please|pls|plz|kindly|could\s+(?:you|someone|i|we)|can\s+(?:you|someone|i|we|anyone)|"
    r"would\s+you|will\s+you|i\s+need|we\s+need|needs?\s+(?:access|a|an|to|the|my|new|two|three)|i'?d\s+like|"
    r"i\s+would\s+like|requesting|request\s+(?:for|to|a|an)|is\s+it\s+possible|how\s+(?:do|can|to)\s+)\b|\?",
    re.I,
)
