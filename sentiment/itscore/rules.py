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

RULES_VERSION = "6"

_NEG = (
    r"(?:not|never|no\s+longer|isn'?t|aren'?t|wasn'?t|weren'?t|doesn'?t|don'?t|didn'?t|"
    r"won'?t|wouldn'?t|can'?t|cannot|can\s+not|couldn'?t|does\s+not|do\s+not|did\s+not|"
    r"will\s+not|would\s+not|unable\s+to|fails?\s+to|failed\s+to|failing\s+to)"
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
    r"power\s+up|start\s+up|come\s+on|show\s+up|hear)"
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
    "browser|chrome|edge|mfa|authenticator|citrix|desktop|machine|it"
)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    valence: float
    # cheap pre-filter on the set of lower-cased words: each group must share a word with it
    needles: tuple[frozenset[str], ...]
    kind: str = "fixed"


def _r(name: str, pattern: str, valence: float, needles: str, kind: str = "fixed") -> Rule:
    groups = tuple(frozenset(g.split("|")) for g in needles.split(" + ")) if needles else ()
    return Rule(name, re.compile(pattern, re.I), valence, groups, kind)


_NEG_WORDS = (
    "not|never|longer|isn't|isnt|aren't|arent|wasn't|wasnt|weren't|werent|doesn't|doesnt|don't|"
    "dont|didn't|didnt|won't|wont|wouldn't|wouldnt|can't|cant|cannot|couldn't|couldnt|unable|"
    "fail|fails|failed|failing"
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
        r"\b(?:oh|ah|wow|yay|hooray|yeah)[\s,!.]+"
        + _POSWORD
        + r"\b|\bwhat\s+an?\s+"
        + _POSWORD
        + r"\s+(?=(?:start|way\s+to\s+start|morning|monday|day|week|surprise)\b)|\bjust\s+"
        + _POSWORD
        + r"\b(?=\s*[.!,]|\s*$)|\b(?:(?:gotta|got\s+to|i\s+just|just|i)\s+)?love\s+(?:it\s+)?(?:how|when)\b",
        3.1,
        "oh|ah|wow|yay|hooray|yeah|just|love|what",
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
    _r(
        "love waiting (sarcasm)",
        r"\b(?:love|loving|enjoy|enjoying|adore|nothing\s+(?:like|better\s+than))\s+(?:it\s+when\s+)?(?:waiting|having\s+to|being\s+(?:kicked|logged|locked|put|told|ignored|disconnected|cut\s+off)|getting\s+(?:kicked|logged|locked|disconnected|errors?|ignored|cut\s+off)|spending\s+(?:hours|an\s+hour|all|half|the\s+whole|my)|sitting\s+(?:on|in|through)|re-?entering|resetting|rebooting|restarting|chasing|losing)\b",
        -1.8,
        "love|loving|enjoy|enjoying|adore|like|better",
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
        r"\b(?:broken|broke|dead|offline|frozen|stuck|crashed|crashing|slow|failing|failed|unusable|missing|locked|jammed|flaky)\s+(?:yet\s+|once\s+)?again\b",
        -2.5,
        "again",
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
        "down|offline|unavailable|rebooted|restarted|planned|scheduled",
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
        r"\b(?:fixed|sorted|solved|resolved|done|ready|back|replied|responded|answered|arrived|delivered|installed|restored|approved|set\s+up|picked\s+(?:it\s+|this\s+)?up|came\s+back|got\s+back|called\s+(?:me\s+|us\s+)?back)\b(?:\s+[\w'-]+){0,4}?\s+(?:in|within|under)\s+(?:(?:a|few|a\s+few|\d+|two|three|five|ten|fifteen|twenty|thirty|a\s+couple\s+of)\s+)?(?:seconds|secs|minutes|mins|no\s+time|a\s+flash|a\s+jiffy|the\s+hour|an\s+hour|one\s+hour|a\s+day|the\s+same\s+day|a\s+few\s+hours)\b|\b(?:boots?|booted|loads?|loaded|opens?|opened|starts?|started|runs?|ran|syncs?|synced|connects?|connected)\s+(?:up\s+)?(?:(?:in|within)\s+(?:(?:a\s+few|few|\d+|two|three|five|ten)\s+)?(?:seconds|secs|no\s+time|a\s+flash|a\s+jiffy)|instantly|immediately|straight\s+away|right\s+away)\b",
        1.8,
        "seconds|secs|minutes|mins|time|flash|jiffy|hour|day|hours|instantly|immediately|straight|"
        "right + fixed|sorted|solved|resolved|"
        "done|ready|back|replied|responded|answered|arrived|delivered|installed|restored|approved|"
        "set|picked|came|got|called|boot|boots|booted|load|loads|loaded|open|opens|opened|start|"
        "starts|started|run|runs|ran|sync|syncs|synced|connect|connects|connected",
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
        r"\bhanging\b(?!\s+(?:out|around|up|on|in\s+there|with|from|over|off|onto|about))|\bhung\b(?!\s+(?:up|out|around|over|on|onto))",
        -1.1,
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
        r"\b(?:go|goes|went|gone|going|turn|turns|turned|turning|stay|stays|stayed|staying)\s+(?:completely\s+|totally\s+|all\s+)?(?:black|blank|dark|grey|gray|haywire|berserk)\b|\b(?:black|blank|white|grey|gray)\s+(?:screens?|pages?|window)\b|\b(?:is|are|was|were|shows?|showing|comes\s+up|came\s+up)\s+(?:completely\s+|totally\s+|all\s+|just\s+|now\s+)?(?:blank|empty)\b",
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
        r"\b(?:issues?|problems?|errors?|bugs?|glitch(?:es)?|lag|crash(?:es)?|noise|echo|flicker(?:ing)?|freez(?:ing|es)|pop-?ups?|warnings?|messages?|prompts?)(?:'s)?(?:\s+(?:is|are|has|have|seems?|finally|now|all|completely|totally)){0,3}\s+(?:been\s+)?(?:gone|disappeared|vanished|went\s+away|go(?:es)?\s+away|cleared(?:\s+up)?|stopped)\b",
        1.8,
        "gone|disappeared|vanished|away|cleared|stopped + issue|issues|problem|problems|error|errors|"
        "bug|bugs|glitch|glitches|lag|crash|crashes|noise|echo|flicker|flickering|freezing|freezes|"
        "popup|pop-up|pop-ups|popups|warning|warnings|message|messages|prompt|prompts|issue's|"
        "problem's|error's",
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
        r"\b(?:no(?:body|\s+one)|none\s+of\s+(?:you|them))\s+(?:\w+\s+)?(?:owns?|takes?\s+(?:ownership|responsibility)|took\s+(?:ownership|responsibility)|is\s+responsible|wants?\s+to\s+(?:own|fix|deal|help|take))\b",
        -1.5,
        "nobody|one|none + own|owns|ownership|responsibility|responsible|wants|want",
    ),
    _r(
        "had to use my phone (workaround)",
        r"\b(?:had|have|having|forced|needed)\s+to\s+(?:use|borrow|take|join\s+(?:from|on|via)|dial\s+in\s+(?:from|on|via)|hotspot|tether)\s+(?:(?:my|a|an|her|his|our|their|someone'?s|a\s+colleague'?s|my\s+colleague'?s)\s+)?(?:own|personal|private|mobile|phone|cell|home|colleague'?s?|neighbou?r'?s?|spare|old|loaner|paper|pen|hotspot|tablet|ipad|wife'?s|husband'?s|kid'?s)\b|\b(?:work|worked|working|back)\s+(?:from|on|with)\s+(?:pen\s+and\s+)?paper\b|\bpen\s+and\s+paper\b|\bpaper\s+printouts?\b",
        -1.2,
        "own|personal|private|mobile|phone|cell|home|colleague|colleague's|colleagues|neighbour|"
        "neighbour's|neighbor|neighbor's|spare|old|loaner|paper|pen|hotspot|tablet|ipad|wife's|"
        "husband's|kid's|printout|printouts",
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
        "audio|video|signal|power|teams|system|systems",
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
        r"\b(?:shows?|showing|displays?|displaying|says|gives|returns|reports)\s+(?:me\s+|us\s+)?(?:all\s+)?(?:zeros?|nothing|no\s+data|gibberish|garbage|random\s+\w+|n/a|null|(?:the\s+)?(?:wrong|incorrect)\s+\w+|an?\s+error|errors)\b",
        -1.3,
        "shows|show|showing|displays|display|displaying|says|gives|returns|reports + zero|zeros|"
        "nothing|data|gibberish|garbage|random|n|null|wrong|incorrect|error|errors",
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
        r"\bnight\s+and\s+day\b|\b(?:a\s+)?world\s+of\s+difference\b|\b(?:huge|massive|big|real|great|major|vast)\s+improvement\b|\b(?:is|it's|are|now|runs|running|run|they're)\s+(?:just\s+|absolutely\s+|now\s+)?(?:flying|zooming|blazing)\b|\b(?:lightning|blazing|super|really|so)[-\s]fast\b",
        2.0,
        "night|world|improvement|flying|zooming|blazing|fast|lightning-fast|blazing-fast|super-fast",
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
        r"\b(?:eats|ate|eaten|eating|swallows|swallowed|swallowing|mangles|mangled|mangling|chews|chewed|munches|munched)\s+(?:up\s+)?(?:my|our|all\s+(?:my|our|the)|half\s+(?:my|our|the)|the|every)\s+(?:\w+\s+)?(?:files?|receipts?|emails?|e-mails?|mails?|work|data|documents?|docs?|paper|pages?|cards?|changes|settings|messages?|attachments?|entries|notes|contracts?|input|prints?|jobs?|tickets?|uploads?|photos?|scans?)\b",
        -1.5,
        "eats|ate|eaten|eating|swallows|swallowed|swallowing|mangles|mangled|mangling|chews|chewed|"
        "munches|munched",
    ),
    _r(
        "keeps <doing> (in a report)",
        r"\bkeeps?\s+(?:on\s+)?(?!(?:getting\s+better|improving|working|growing|helping)\b)[a-z]+ing\b",
        -1.3,
        "keep|keeps + " + _DEVICE_WORDS + "|calls|call|printers|apps|app|system|tool",
        "report",
    ),
    _r(
        "much faster (comparison)",
        r"\b(?:so|way|a\s+lot|loads|heaps|massively|much|far|significantly)\s+(?:much\s+)?(?:faster|quicker|easier|smoother|simpler|clearer|nicer|snappier|more\s+(?:stable|reliable|responsive|intuitive))\b",
        2.2,
        "faster|quicker|easier|smoother|simpler|clearer|nicer|snappier|stable|reliable|responsive|intuitive",
    ),
    _r(
        "during the outage (context)",
        r"\b(?:during|throughout|despite|through|in\s+spite\s+of)\s+(?:the|this|that|last\s+week'?s|yesterday'?s|today'?s|our|an?|the\s+whole)\s+(?:\w+\s+)?(?:outage|outages|downtime|incident|crash|disruption|issues?|problems?|migration|upgrade)\b",
        0.0,
        "during|throughout|despite|through|spite + outage|outages|downtime|incident|crash|disruption|"
        "issue|issues|problem|problems|migration|upgrade",
    ),
    # --- service failures ---
    _r(
        "X is down",
        r"(?:\b(?:is|are|was|were|been|went|goes|going|gone|be)|'s)\s+(?:completely\s+|totally\s+|still\s+|all\s+|back\s+|now\s+|currently\s+|again\s+|apparently\s+)?down\b(?!\s+(?:to|the(?!\s+(?:whole|entire|rest|better|full|morning|afternoon|day|evening|night|weekend)\b)|with|from|by|on|in|at|a|an|here|there|and|low|for\s+(?:a|the|it|that|this|me|it))\b)|\bdown\s+again\b|\b(?:vpn|server|servers|network|wi-?fi|internet|e-?mail|site|website|system|systems|portal|app|printer|outlook|teams|sharepoint|intranet|database|service)\s+down\b",
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
        + r"|no\s+longer)\s+(?:being\s+|been\s+|be\s+)?(?:detected|recogni[sz]ed|showing(?:\s+up)?|shown|responding|syncing|synced|loading|loaded|updating|charging|booting|printing|connecting|registering|saving|saved|displaying|detecting|recogni[sz]ing|receiving|sending|opening|starting|launching|accepting|pairing|playing|scanning|installing|downloading|uploading|authenticating|ringing|turning\s+on|waking(?:\s+up)?|working)\b|\b(?:isn'?t|aren'?t|doesn'?t|don'?t|won'?t|can'?t|not)\s+(?:\w+\s+){0,3}?(?:anymore|any\s+more)\b",
        -1.5,
        "detected|recognised|recognized|showing|shown|responding|syncing|synced|loading|loaded|updating|charging|booting|printing|connecting|registering|saving|saved|displaying|detecting|recognising|recognizing|anymore|more|"
        "receiving|sending|opening|starting|launching|accepting|pairing|playing|scanning|installing|"
        "downloading|uploading|authenticating|ringing|turning|waking|working",
    ),
    _r(
        "keeps <failing>",
        r"\bkeeps?\s+(?:on\s+)?"
        + _FAILING
        + r"|\b(?:again\s+and\s+again|over\s+and\s+over|every\s+(?:single\s+)?(?:time|day|morning))\b(?=[^.!?]{0,40}\b(?:crash|freez|fail|drop|disconnect|error|down|slow|stuck))",
        -1.8,
        "keep|keeps|again|over|every",
    ),
    _r(
        "still waiting",
        r"\bstill\s+(?:waiting|no\s+(?:response|reply|answer|word|update|news|fix|solution|callback|call\s+back|one)|broken|down|not\s+(?:fixed|resolved|working|done|sorted)|nothing|unresolved|pending|open|outstanding|unassigned|in\s+progress|happening|an?\s+(?:issue|problem)|the\s+same|having\s+(?:the\s+same\s+)?(?:issues?|problems?|trouble)|getting\s+(?:the\s+)?(?:same\s+)?(?:error|errors|issue|problem)|can'?t|cannot|isn'?t|doesn'?t|won'?t|slow|don'?t|do\s+not|didn'?t|did\s+not|haven'?t|hasn'?t|have\s+not|has\s+not|(?:crash|freez|drop|fail|disconnect|hang|lag|error|time)(?:s|es|ing|ed)?(?:\s+out)?)\b",
        -2.0,
        "still",
    ),
    _r(
        "no response",
        r"\b(?:no(?:body|\s+one)\s+(?:has\s+|have\s+|ever\s+|even\s+|is\s+|was\s+)?(?:looking|looked|working\s+on|answers?|answered|responds?|responded|repl(?:y|ies|ied)|calls?|called|got\s+back|gets\s+back|came|comes|showed\s+up|helps?|helped|cares?|knows?|seems\s+to\s+know|bothered|followed\s+up|picks?\s+up|picked\s+up)|no\s+(?:response|reply|answer|callback|call\s+back|update|follow[-\s]?up|feedback|word)s?\s+(?:yet|since|from|after|for|in|at\s+all)|never\s+(?:got|get|heard|hear|received?|responded|replied|answered|called|came|showed|arrived|resolved|got\s+back)|(?:hasn'?t|haven'?t|has\s+not|have\s+not|didn'?t|did\s+not)\s+(?:heard|received|gotten|responded|replied|answered|called|got\s+back|been\s+(?:fixed|resolved|answered|contacted|touched|assigned|looked\s+at)))\b",
        -1.6,
        "nobody|no|one|never|hasn't|hasnt|haven't|havent|didn't|didnt|not",
    ),
    _r(
        "closed without fixing",
        r"\b(?:closed|resolved|marked\s+(?:as\s+)?(?:resolved|closed|done|fixed|complete))\b[^.!?]{0,40}?\b(?:without|but|even\s+though|although|though|yet|while|before)\b[^.!?]{0,30}?\b(?:fix\w*|resolv\w*|solv\w*|contact\w*|ask\w*|talk\w*|check\w*|respon\w*|repl\w*|still|not|nothing|isn'?t|wasn'?t|never|any)\b",
        -2.2,
        "closed|resolved|marked",
    ),
    _r(
        "on hold / hung up",
        r"\b(?:on\s+hold|(?:hung|hanged|hanging|hangs|hang)\s+up\s+on|hung\s+up|put\s+me\s+on\s+hold|run\s*around|passed\s+around|bounced\s+(?:around|between))\b",
        -1.3,
        "hold|hung|hanged|hanging|hangs|hang|run|runaround|passed|bounced",
    ),
    _r(
        "hours of waiting",
        r"\b(?:after(?!\s+hours\b)|over|took|takes|taking|take|wasted|waited|waiting|wait|spent|been)\s+(?:for\s+)?(?:almost\s+|nearly\s+|over\s+|more\s+than\s+)?(?:"
        + _COUNT
        + r"?\s*(?:hours?|hrs?|days|weeks|minutes|mins)|(?:an|a|one|half\s+an)\s+(?:hour|hr|day|week))\b",
        -0.9,
        "hour|hours|hrs|hr|day|days|week|weeks|minutes|mins",
    ),
    # A bare "for two weeks" is a wait in a report, but a planned span in a request
    # ("Need a temporary account for two weeks").
    _r(
        "for hours (in a report)",
        r"\bfor\s+(?:almost\s+|nearly\s+|over\s+|more\s+than\s+)?(?:"
        + _COUNT
        + r"?\s*(?:hours?|hrs?|days|weeks|minutes|mins)|(?:an|a|one|half\s+an)\s+(?:hour|hr|day|week))\b",
        -0.9,
        "hour|hours|hrs|hr|day|days|week|weeks|minutes|mins + for",
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
    _r("duration", r"\b\d+(?:\.\d+)?\+?\s*-?(?:hours?|hrs?|mins?|minutes)\b", -0.9, "", "fixed"),
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
        r"\bwhy\s+(?:does|did|do|is|should)\s+(?:it|this|everything|something\s+so\s+simple)\s+"
        r"(?:take|need|require|always|keep|still|have\s+to\s+take)\b",
        -1.6,
        "why + take|need|require|always|keep|still",
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
        "time|ahead",
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
        r"\bin\s+the\s+middle\s+of\s+(?:a|an|my|our|the)\s+(?:\w+\s+)?(?:call|meeting|presentation|demo|"
        r"webinar|interview|exam|training|pitch|close|shift)\b",
        -1.5,
        "middle",
        "report",
    ),
    _r(
        "thumbs up",
        "\U0001f44d[\U0001f3fb-\U0001f3ff]?|\U0001f64f[\U0001f3fb-\U0001f3ff]?",
        1.8,
        "",
    ),
    _r("thumbs down", "\U0001f44e[\U0001f3fb-\U0001f3ff]?", -1.8, ""),
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
    ),
    _r(
        "rating (poor)",
        r"(?<![\d/])\b[0-3]\s*/\s*10\b(?!\s*/)|(?<![\d/])\b[01]\s*/\s*5\b(?!\s*/)|"
        r"\b(?:one|1|zero|0|no)\s+stars?\b",
        -2.5,
        "0|1|2|3|one|zero|no + 10|5|star|stars",
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
        "times|x|third|fourth|fifth|sixth|nth|3rd|4th|5th|6th|7th|8th|9th|10th",
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
        r"(?<!\bi\s)(?<!\byou\s)(?<!\bwe\s)(?<!\bu\s)\b(?:doesn'?t|does\s+not|won'?t|will\s+not|didn'?t|did\s+not|can'?t|cannot|couldn'?t|wouldn'?t|don'?t)\s+(?:even\s+|always\s+|really\s+|properly\s+|reliably\s+)?(?!(?:know|think|mind|care|want|need|matter|like|love|worry|forget|remember|understand|believe|agree|recommend|expect|mean|wait|hesitate|seem|appear|apply|hurt|help|bother|deserve|get|look|sound|feel|make|cost|have|take|be|affect|include|require|change|contain|happen|count|exist|stop|mention|say|tell|see|hear|blame|disagree|panic|miss|waste|judge|fault|complain|regret|doubt|go|use|give|play|buy|lie|laugh|ask|sleep|leave|find|figure|beat|excuse|offer|allow|even|just|ever|really|always|the|you|she|he|they|and|suppose|wanna|gonna|trust|worry|fix)\b)[a-z]{3,}\b",
        -1.1,
        "doesn't|doesnt|does|won't|wont|will|didn't|didnt|did|can't|cant|cannot|couldn't|couldnt|"
        "wouldn't|wouldnt|don't|dont + not|doesn't|doesnt|won't|wont|didn't|didnt|can't|cant|"
        "cannot|couldn't|couldnt|wouldn't|wouldnt|don't|dont + " + _DEVICE_WORDS,
        "report",
    ),
    # --- repairs ---
    _r(
        "works again/now",
        r"\b(?:(?:now\s+)?work(?:s|ing|ed)\s+(?:again|now|fine|great|perfectly|well|properly|flawlessly|beautifully|like\s+a\s+charm|a\s+treat)|now\s+work(?:s|ing)|(?:it|that|this)\s+worked|(?:is|are|'s|was)\s+back\s+(?:up|online|to\s+normal|in\s+business)|back\s+up\s+and\s+running|up\s+and\s+running|back\s+to\s+normal|all\s+good|(?:all\s+)?sorted(?:\s+(?:it|that))?(?:\s+out)?\s+now|sorted\s+(?:it\s+|that\s+)?out|(?:did|does)\s+the\s+trick|good\s+as\s+new|(?:fixed|resolved|solved|sorted)\s+now)\b",
        1.9,
        "work|works|working|worked|back|running|normal|good|sorted|trick|new|now",
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
        r"\b(?:behaving|printing|syncing|connecting|loading|running|responding|booting|charging|sending|receiving|scanning|showing)\s+(?:up\s+|smoothly\s+|fine\s+|well\s+|properly\s+|normally\s+)?(?:again|normally|properly|perfectly|correctly|as\s+(?:normal|expected|it\s+should))\b|\b(?:can|could|able\s+to)\s+(?:finally\s+|now\s+|once\s+more\s+)?"
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
        "no",
    ),
    _r(
        "no longer failing",
        r"\bno\s+longer\s+(?:crash\w*|freez\w*|fail\w*|broken|down|slow|an?\s+(?:issue|problem)|disconnect\w*|drop\w*|lag\w*|hang\w*|getting\s+(?:errors?|kicked|logged))",
        1.6,
        "longer",
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
EMOJI_RULES = frozenset({"thumbs up", "thumbs down"})
EMOJI = re.compile("[\U0001f44d\U0001f44e\U0001f64f]")

REQUEST_CUE = re.compile(
    r"\b(?:please|pls|plz|kindly|could\s+(?:you|someone|i|we)|can\s+(?:you|someone|i|we|anyone)|"
    r"would\s+you|will\s+you|i\s+need|we\s+need|need\s+(?:access|a|an|to|the|my)|i'?d\s+like|"
    r"i\s+would\s+like|requesting|request\s+(?:for|to|a|an)|is\s+it\s+possible|how\s+(?:do|can|to)\s+)\b|\?",
    re.I,
)
