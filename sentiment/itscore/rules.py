"""Phrase rules: what a word lexicon cannot express.

Each rule is a regular expression over the cleaned text. Its match is replaced by one
synthetic token that carries the rule's valence into VADER's sentence arithmetic (so
"but", punctuation emphasis and the compound normalisation still apply to it), and that
`explain()` maps back to the rule's name.

kinds:
  "fixed"    always applies, with the given valence;
  "request"  applies only when the text is a request (a politeness "thanks" is not praise);
  "sarcasm"  a positive word used ironically: negative when the text reports a failure
             (some other contribution is negative), else the word's own VADER valence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RULES_VERSION = "2"

_NEG = (
    r"(?:not|never|no\s+longer|isn'?t|aren'?t|wasn'?t|weren'?t|doesn'?t|don'?t|didn'?t|"
    r"won'?t|wouldn'?t|can'?t|cannot|can\s+not|couldn'?t|does\s+not|do\s+not|did\s+not|"
    r"will\s+not|would\s+not|unable\s+to|fails?\s+to|failed\s+to|failing\s+to)"
)
_ACTION = (
    r"(?:log\s?in|log\s+on|login|logon|sign\s?in|sign\s+on|connect|access|open|print|start|"
    r"load|boot|send|sync|launch|install|reach|download|upload|authenticate|receive|"
    r"respond|get\s+(?:in|into|on|onto|through|access|past)|turn\s+on|power\s+on|"
    r"be\s+(?:opened|accessed|reached|found|installed))"
)
_FAILING = (
    r"(?:crashing|freezing|failing|dropping(?:\s+out)?|disconnecting|restarting|rebooting|"
    r"hanging|timing\s+out|logging\s+(?:me\s+)?(?:out|off)|kicking\s+me\s+(?:out|off)|"
    r"locking(?:\s+me)?(?:\s+out)?|losing|breaking|erroring(?:\s+out)?|going\s+(?:down|offline)|"
    r"cutting\s+out|shutting\s+(?:down|off)|jamming|lagging|buffering|spinning|glitching|"
    r"getting\s+(?:stuck|errors?|logged\s+out|kicked\s+out|locked\s+out|disconnected|"
    r"the\s+same\s+error)|happening|popping\s+up|coming\s+back|asking\s+(?:me\s+)?for|"
    r"prompting)"
)
_POSWORD = r"(?:great|wonderful|fantastic|brilliant|perfect|lovely|awesome|excellent|super|nice|marvell?ous|terrific)"
_COUNT = r"(?:\d+\+?|two|three|four|five|six|seven|eight|several|many|countless|multiple|a\s+few|24|48)"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    valence: float
    # cheap pre-filter on the set of lower-cased words: each group must share a word with it
    needles: tuple[frozenset[str], ...]
    kind: str = "fixed"


def _r(name: str, pattern: str, valence: float, needles: str, kind: str = "fixed") -> Rule:
    groups = tuple(frozenset(g.split("|")) for g in needles.split(" + "))
    return Rule(name, re.compile(pattern, re.I), valence, groups, kind)


_NEG_WORDS = (
    "not|never|longer|isn't|isnt|aren't|arent|wasn't|wasnt|weren't|werent|doesn't|doesnt|don't|"
    "dont|didn't|didnt|won't|wont|wouldn't|wouldnt|can't|cant|cannot|couldn't|couldnt|unable|"
    "fail|fails|failed|failing"
)
_ACTION_WORDS = (
    "log|login|logon|sign|signin|connect|access|open|print|start|load|boot|send|sync|launch|"
    "install|reach|download|upload|authenticate|receive|respond|get|turn|power|be"
)
_POS_WORDS = "great|wonderful|fantastic|brilliant|perfect|lovely|awesome|excellent|super|nice|marvellous|marvelous|terrific"


# Order matters: earlier rules consume their text first.
RULES: tuple[Rule, ...] = (
    # --- sarcasm and mock thanks ---
    _r("thanks for nothing", r"\bthanks?\s+(?:you\s+)?(?:again\s+)?for\s+(?:nothing|wasting\s+my\s+time|breaking\s+\w+|the\s+(?:outage|downtime|runaround))\b", -2.5, "thanks|thank + nothing|wasting|breaking|outage|downtime|runaround"),
    _r("oh great (sarcasm)", r"\b(?:oh|ah|wow|yay|hooray|yeah)[\s,!.]+" + _POSWORD + r"\b|\bjust\s+" + _POSWORD + r"\b(?=\s*[.!,]|\s*$)|\b(?:(?:gotta|got\s+to|i\s+just|just|i)\s+)?love\s+(?:it\s+)?(?:how|when)\b", 3.1, "oh|ah|wow|yay|hooray|yeah|just|love", "sarcasm"),
    _r("great, another (sarcasm)", r"(?:^|(?<=[.!?]))\s*" + _POSWORD + r"\s*[,.!]+(?=\s+(?:another|again|the|my|our|it|its|it's|now|so|more|that|this|all)\b)", 3.1, _POS_WORDS, "sarcasm"),
    _r("thanks a lot (sarcasm)", r"\bthanks\s+a\s+lot\b", 1.9, "thanks + lot", "sarcasm"),
    # --- requests: politeness is not praise ---
    _r("thanks in advance", r"\b(?:thanks|thank\s+you|thx|many\s+thanks)\s+(?:so\s+much\s+|very\s+much\s+)?(?:in\s+advance|ahead(?:\s+of\s+time)?|in\s+anticipation)\b|\btia\b", 0.0, "advance|ahead|anticipation|tia"),
    _r("would appreciate (request)", r"\b(?:would|'d|will|i)\s+(?:really\s+|greatly\s+|very\s+much\s+)?(?:appreciate|be\s+(?:very\s+)?(?:grateful|thankful))(?:\s+(?:it|any|your|some|a))?(?:\s+(?:if|help|assistance|advice|input|guidance|reply|response|quick))?\b", 0.0, "appreciate|grateful|thankful"),
    _r("thanks (in a request)", r"\b(?:thanks|thank\s+you|thank\s+u|thx|ty|many\s+thanks)\b(?!\s+(?:so\s+much\s+|very\s+much\s+|a\s+lot\s+|again\s+)?for\b)", 0.0, "thanks|thank|thx|ty", "request"),
    # --- service failures ---
    _r("X is down", r"(?:\b(?:is|are|was|were|been|went|goes|going|be)|'s)\s+(?:completely\s+|totally\s+|still\s+|all\s+|back\s+|now\s+|currently\s+|again\s+|apparently\s+)?down\b(?!\s+(?:to|the|with|from|by|on|in|at|a|an|here|there|and|low|for\s+(?:a|the|it|that|this|me|it))\b)|\bdown\s+again\b|\b(?:vpn|server|servers|network|wi-?fi|internet|e-?mail|site|website|system|systems|portal|app|printer|outlook|teams|sharepoint|intranet|database|service)\s+down\b", -2.0, "down"),
    _r("not working", r"\bnothing\s+(?:\w+\s+)?work(?:s|ing|ed)?\b|\b(?:locked|kicked|logged)\s+(?:me\s+)?out\b|\b(?:" + _NEG + r"|stopped|stops|quit|quits)\s+(?:\w+\s+)?work(?:s|ing|ed)?\b(?!\s+(?:out|on|with|from|at|hard|late|tomorrow|today|overtime|here)\b)", -2.0, "work|works|working|worked|locked|kicked|logged"),
    _r("can't <do>", r"\b" + _NEG + r"\s+(?:(?:even|still|seem\s+to|be\s+able\s+to|ever)\s+)?" + _ACTION + r"\b", -1.6, _NEG_WORDS + " + " + _ACTION_WORDS),
    _r("keeps <failing>", r"\bkeeps?\s+(?:on\s+)?" + _FAILING + r"|\b(?:again\s+and\s+again|over\s+and\s+over|every\s+(?:single\s+)?(?:time|day|morning))\b(?=[^.!?]{0,40}\b(?:crash|freez|fail|drop|disconnect|error|down|slow|stuck))", -1.8, "keep|keeps|again|over|every"),
    _r("still waiting", r"\bstill\s+(?:waiting|no\s+(?:response|reply|answer|word|update|news|fix|solution|callback|call\s+back|one)|broken|down|not\s+(?:fixed|resolved|working|done|sorted)|nothing|unresolved|pending|happening|an?\s+(?:issue|problem)|the\s+same|having\s+(?:the\s+same\s+)?(?:issues?|problems?|trouble)|getting\s+(?:the\s+)?(?:same\s+)?(?:error|errors|issue|problem)|can'?t|cannot|isn'?t|doesn'?t|won'?t|slow|(?:crash|freez|drop|fail|disconnect|hang|lag|error|time)(?:s|es|ing|ed)?(?:\s+out)?)\b", -2.0, "still"),
    _r("no response", r"\b(?:no(?:body|\s+one)\s+(?:has\s+|have\s+|ever\s+|even\s+)?(?:answers?|answered|responds?|responded|repl(?:y|ies|ied)|calls?|called|got\s+back|gets\s+back|came|comes|showed\s+up|helps?|helped|cares?|knows?|seems\s+to\s+know|bothered|followed\s+up|picks?\s+up|picked\s+up)|no\s+(?:response|reply|answer|callback|call\s+back|update|follow[-\s]?up|feedback|word)s?\s+(?:yet|since|from|after|for|in|at\s+all)|never\s+(?:got|get|heard|hear|received?|responded|replied|answered|called|came|showed|arrived|resolved|got\s+back)|(?:hasn'?t|haven'?t|has\s+not|have\s+not|didn'?t|did\s+not)\s+(?:heard|received|gotten|responded|replied|answered|called|got\s+back|been\s+(?:fixed|resolved|answered|contacted|touched|assigned|looked\s+at)))\b", -1.6, "nobody|no|one|never|hasn't|hasnt|haven't|havent|didn't|didnt|not"),
    _r("closed without fixing", r"\b(?:closed|resolved|marked\s+(?:as\s+)?(?:resolved|closed|done|fixed|complete))\b[^.!?]{0,40}?\b(?:without|but|even\s+though|although|though|yet|while|before)\b[^.!?]{0,30}?\b(?:fix\w*|resolv\w*|solv\w*|contact\w*|ask\w*|talk\w*|check\w*|respon\w*|repl\w*|still|not|nothing|isn'?t|wasn'?t|never|any)\b", -2.2, "closed|resolved|marked"),
    _r("on hold / hung up", r"\b(?:on\s+hold|hung\s+up(?:\s+on)?|put\s+me\s+on\s+hold|run\s*around|passed\s+around|bounced\s+(?:around|between))\b", -1.3, "hold|hung|run|runaround|passed|bounced"),
    _r("hours of waiting", r"\b(?:for|after|over|took|takes|taking|take|wasted|waited|waiting|spent|been)\s+(?:almost\s+|nearly\s+|over\s+|more\s+than\s+)?(?:" + _COUNT + r"?\s*(?:hours?|hrs?|days|weeks|minutes|mins)|(?:an|a|one|half\s+an)\s+(?:hour|hr|day|week))\b", -0.9, "hour|hours|hrs|hr|day|days|week|weeks|minutes|mins"),
    _r("ask for a person", r"\b(?:speak|talk|get\s+through)\s+(?:to|with)\s+(?:a\s+|an\s+)?(?:real\s+|live\s+|actual\s+)?(?:human(?:\s+being)?|person|supervisor|manager)\b", -1.0, "speak|talk|through + human|person|supervisor|manager"),
    _r("was told", r"\b(?:i\s+was|we\s+were|i\s+got|was|were|been|keep\s+getting|keeps?\s+getting)\s+told\b", -0.8, "told"),
    _r("supposed to", r"\b(?:was|were|is|are|it's|was\s+meant|were\s+meant)\s+supposed\s+to\b", -1.0, "supposed"),
    _r("would be nice if (wish)", r"\b(?:it\s+)?would\s+be\s+(?:really\s+|very\s+|so\s+)?(?:great|nice|helpful|good|lovely|awesome|wonderful|useful)\s+(?:if|to)\b", 0.0, "would + great|nice|helpful|good|lovely|awesome|wonderful|useful"),
    # --- repairs ---
    _r("works again/now", r"\b(?:(?:now\s+)?work(?:s|ing|ed)\s+(?:again|now|fine|great|perfectly|well|properly|flawlessly|beautifully|like\s+a\s+charm|a\s+treat)|now\s+work(?:s|ing)|(?:it|that|this)\s+worked|(?:is|are|'s|was)\s+back\s+(?:up|online|to\s+normal|in\s+business)|back\s+up\s+and\s+running|up\s+and\s+running|back\s+to\s+normal|all\s+good|(?:all\s+)?sorted(?:\s+(?:it|that))?(?:\s+out)?\s+now|sorted\s+(?:it\s+|that\s+)?out|(?:did|does)\s+the\s+trick|good\s+as\s+new|(?:fixed|resolved|solved|sorted)\s+now)\b", 1.9, "work|works|working|worked|back|running|normal|good|sorted|trick|new|now"),
    _r("can't wait", r"\b(?:can'?t|cannot|can\s+not)\s+wait\b", 2.0, "can't|cant|cannot|can + wait"),
    _r("no issues since", r"\bno\s+(?:more\s+|further\s+|real\s+)?(?:issues?|problems?|errors?|crash(?:es)?|complaints?|glitch(?:es)?|trouble|hiccups?|drops?|outages?)\s+(?:since|after|so\s+far|at\s+all|anymore|any\s+more|now|today|this\s+week|with\s+(?:it|the|my))\b", 1.8, "no"),
    _r("no longer failing", r"\bno\s+longer\s+(?:crash\w*|freez\w*|fail\w*|broken|down|slow|an?\s+(?:issue|problem)|disconnect\w*|drop\w*|lag\w*|hang\w*|getting\s+(?:errors?|kicked|logged))", 1.6, "longer"),
    # --- IT senses that are not emotion ---
    _r("kill the process", r"\b(?:kill|killed|killing|kills)\s+(?:the\s+|a\s+|that\s+|this\s+|my\s+|all\s+)?(?:\w+\s+)?(?:process(?:es)?|task|tasks|job|jobs|session|sessions|app|application|query|thread|pid|service|server|container|switch|command)\b", 0.0, "kill|killed|killing|kills"),
    _r("critical update", r"\bcritical\s+(?:security\s+)?(?:update|updates|patch|patches|fix|path|section|system|systems|infrastructure|server|servers|application|applications|release|hotfix|alert|alerts|priority)\b", 0.0, "critical"),
    _r("free up space", r"\bfree\s+(?:up|space|disk|memory|trial|license|licence|version|tier|text|form)\b|\b(?:hands|handsfree|hands-free)\b", 0.0, "free|hands|handsfree|hands-free"),
    _r("as well", r"\bas\s+well(?:\s+as)?\b", 0.0, "well"),
    # "like" as a comparison or in a request ("looks like", "like a", "would like") is no praise
    _r("like (comparison)", r"\b(?:(?:looks?|looked|looking|seems?|seemed|sounds?|sounded|feels?|felt|just|something|things|stuff|more|much|exactly|would|'d)\s+like|like\s+(?=(?:a|an|the|this|that|these|those|it|when|how|what|to|in|on|with|if|me|him|us|them|my|your|his|her|our|their)\b))\b", 0.0, "like"),
    _r("kind regards", r"\b(?:kind|best|warm|warmest)\s+regards\b", 0.0, "regards"),
)

REQUEST_CUE = re.compile(
    r"\b(?:please|pls|plz|kindly|could\s+(?:you|someone|i|we)|can\s+(?:you|someone|i|we|anyone)|"
    r"would\s+you|will\s+you|i\s+need|we\s+need|need\s+(?:access|a|an|to|the|my)|i'?d\s+like|"
    r"i\s+would\s+like|requesting|request\s+(?:for|to|a|an)|is\s+it\s+possible|how\s+(?:do|can|to)\s+)\b|\?",
    re.I,
)
