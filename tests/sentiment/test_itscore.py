"""Earshot's IT scorer on IT feedback written for these tests (not taken from any dataset).

IT_FEEDBACK is the table the lexicon and rules were developed against; IT_HELD_OUT was
written at the same time and never used for tuning: its accuracy is reported by
bench/sentiment_eval.py and only loosely asserted here. Rounds two and three of
IT_HELD_OUT were each written before they were first scored; the misses of round two
were looked at while building lexicon v3 / rules v3, so the unseen-data figure for v3 is
round three's first score (21 of 28, 75 %), not the table's current accuracy.
Round four (36 sentences, the last block) was written before lexicon v4 / rules v4 were
begun and scored once, unchanged, with v3.3: 27 of 36 correct (75.0 %). Its misses were
not used to choose the v4 changes (those came from the dev sets' tuning halves), but
some v4 mechanisms ("why ..." grievances, repeated calls) also cover a few of them, so
the first score is the honest unseen figure, not the table's current accuracy.

Rounds five to seven (150 sentences, 50 each) were all written before lexicon v5 / rules v5
were begun, in varied voices over many services (about 45 % neg, 30 % neu, 25 % pos).
Round five was scored once with v4.4: 38 of 50 (76 %). Its misses were generalised into
families (failure verbs and particles, degraded quality, waiting and process pain,
workarounds, praise idioms, planned durations, ...), never patched one by one; round six
was then scored once: 46 of 50 (92 %). Its misses led to a second set of families
("report"-only durations, "not <verb>ing", speed praise, problems as the setting of praise),
then round seven was scored once: 49 of 50 (98 %). Rounds six and seven were written by
the same author at the same time as round five, so they share its style and flatter the
mechanisms; rounds eight and nine (30 each) were written afterwards, after those changes,
and scored once: 21 of 30 (70 %) with the round-six/seven version, and 20 of 30 (67 %)
after round eight's families were added. Those two are the more honest estimate for text
written by someone else: expect 70-80 % on truly unseen IT feedback, not the table's
current accuracy.

Lexicon v6 / rules v6 were measured the same way, with the rounds in it_rounds/ (one TSV
per round, its history in its first line). Rounds ten and eleven (30 each, by the same
author) were written together and scored once with v5.5: 27 and 28 of 30. Then three
blind rounds were written by someone who never saw the scorer, its lexicon or these
tests. Blind one, scored once with v5.5: 68 of 80 (85 %); its misses were generalised into
the v6 families (failure in the past tense, "logs me out", "keeps asking me to sign in",
"known issue", "when will it be fixed", ratings such as 10/10, sarcastic "nice one",
"it came back", IT senses of privileges and GL, ...). Blind two, scored once with that
draft: 88 of 100; its misses gave a second set ("is timing out", "worked fine before",
"keep it up", emoji thumbs, a bare "cheers" kept as thanks, ...). Blind three, scored once
with the final v6.6 and never tuned on: 84 of 100 (84 %). That is the honest figure for
IT feedback written by someone else: about 85 %, short of the 90 % target; what it misses
is mostly sarcasm without a failure word, understatement ("could be better", "can't
complain") and questions that imply a fault.

Lexicon v7 / rules v7 came from four more blind rounds (150 each, by helpers writing for a
hospital network, a law firm, a university and a logistics company, each told only what
the labels mean), scored once with v6.6: 126, 121, 130 and 134 of 150 (85.2 % together,
the same as blind three). Rounds four to six were tuned on, by families again (the
absence of a problem, understatement, scare quotes, rhetorical questions, broken
promises, department and product names, names in sign-offs, incidental words in
requests, ironic closers, two ironic markers); round seven was held out while they were
built and only its accuracy looked at: 134 of 150 with v6.6, 141 of 150 with the first
v7 draft, 143 of 150 with the final v7. Then three more pairs of rounds were each written
blind and kept sealed until scored once, each pair tuned on before the next was opened:
rounds eight and nine 265 of 300 (88.3 %) with the first v7, rounds ten and eleven 214 of
240 (89.2 %), rounds twelve and thirteen 214 of 240 (89.2 %). Rounds fourteen and fifteen
(an energy utility and a retailer) were scored once with the final v7.7 and never tuned
on: 217 of 240 (90.4 %). That is the honest unseen figure; with 240 sentences it is
accurate to about +/- 4 points.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.cleaning import clean_text
from sentiment.itscore import (
    ITSCORE_VERSION,
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    explain,
    score,
)
from sentiment.itscore.scorer import LEXICON_VERSION, read_lexicon

# The construct: how does this business user feel about the IT service?
# A problem report is negative, a plain request neutral, thanks after a fix positive.
IT_FEEDBACK: list[tuple[str, str]] = [
    # problem reports
    ("The VPN is down again.", "neg"),
    ("My laptop keeps crashing.", "neg"),
    ("Outlook has been freezing all morning.", "neg"),
    ("The shared drive is painfully slow today.", "neg"),
    ("Printer on the third floor is broken again.", "neg"),
    ("I can't log in to the expenses portal.", "neg"),
    ("Teams won't open after the update.", "neg"),
    ("The wifi in meeting room B keeps dropping.", "neg"),
    ("Excel crashes every time I open the budget file.", "neg"),
    ("SAP is unusable this afternoon, every screen takes a minute to load.", "neg"),
    ("My monitor is not working.", "neg"),
    ("Still waiting for someone to look at my ticket.", "neg"),
    ("The ticket was closed without fixing anything.", "neg"),
    ("Nobody has responded to my request in three days.", "neg"),
    ("Another outage on the CRM, the third this week.", "neg"),
    ("The new intranet is buggy and confusing.", "neg"),
    ("I keep getting logged out of Salesforce.", "neg"),
    ("Password reset link doesn't work.", "neg"),
    ("The docking station is dead.", "neg"),
    ("Email sync is broken on my phone since Monday.", "neg"),
    ("The scanner jammed again and ate my contract.", "neg"),
    ("My files are corrupted after the migration.", "neg"),
    ("Zoom audio cuts out constantly, it is really frustrating.", "neg"),
    ("I have been on hold with the service desk for 40 minutes.", "neg"),
    ("Laptop takes ages to boot and then freezes.", "neg"),
    ("The self-service portal is down.", "neg"),
    ("Cannot connect to the network drive from home.", "neg"),
    ("They marked it resolved but the error is still there.", "neg"),
    ("The app is so slow it is basically unusable.", "neg"),
    ("Why does my screen go black every ten minutes?", "neg"),
    ("I'm locked out of my account again.", "neg"),
    ("This is the fourth time I report the same bug.", "neg"),
    ("The update broke my VPN client.", "neg"),
    ("Very disappointed with how long this is taking.", "neg"),
    ("Printing to the colour printer fails with an error.", "neg"),
    # sarcasm and mock thanks
    ("Thanks for nothing.", "neg"),
    ("Great, another outage. Just great.", "neg"),
    ("Oh wonderful, the VPN dropped again.", "neg"),
    ("Love how the system crashes right before every deadline.", "neg"),
    ("Perfect, the printer is jammed again.", "neg"),
    ("Thanks a lot, now nothing works.", "neg"),
    # requests (neutral)
    ("Please reset my password.", "neu"),
    ("Please install Visio on my laptop.", "neu"),
    ("Could you give me access to the finance share?", "neu"),
    ("Can someone help me set up the new phone?", "neu"),
    ("I need a second monitor for the new starter.", "neu"),
    ("Please add Anna to the marketing distribution list. Thanks", "neu"),
    ("Requesting a licence for Adobe Acrobat.", "neu"),
    ("How do I connect to the guest wifi?", "neu"),
    ("Kind regards, Maria", "neu"),
    ("Please kill the process on server 12 so the job can restart.", "neu"),
    ("Would appreciate it if you could move my mailbox to the new tenant.", "neu"),
    ("Can you share the folder with the audit team? Thanks in advance.", "neu"),
    ("When is the critical update scheduled?", "neu"),
    ("I'd like to order a new headset.", "neu"),
    ("Please change my display name in Teams to Robert.", "neu"),
    ("Is there a way to export the report to Excel?", "neu"),
    ("Where do I find the help desk phone number?", "neu"),
    ("We need a support ticket opened for the office move.", "neu"),
    ("My laptop is due for replacement next month.", "neu"),
    ("Please free up space on the team drive.", "neu"),
    ("The meeting room screen was replaced yesterday.", "neu"),
    # thanks, praise, fixed
    ("Thanks, the printer works again!", "pos"),
    ("No issues since the patch.", "pos"),
    ("VPN is back up, thank you.", "pos"),
    ("Great job on the laptop rollout, very smooth.", "pos"),
    ("The new laptop is fast and the setup was painless.", "pos"),
    ("Thank you for fixing my email so quickly!", "pos"),
    ("Resolved, much appreciated.", "pos"),
    ("Works perfectly now, thanks Tom.", "pos"),
    ("The service desk was really helpful today.", "pos"),
    ("Problem solved, you are a lifesaver.", "pos"),
    ("Everything is up and running again, well done.", "pos"),
    ("The migration went smoothly, no problems at all.", "pos"),
    ("Love the new self-service portal.", "pos"),
    ("Quick response and friendly technician, thanks.", "pos"),
    ("It worked, thanks for walking me through it.", "pos"),
    ("The laptop no longer freezes after the BIOS update.", "pos"),
    ("Brilliant support from the network team.", "pos"),
    # mixed: the author's overall feeling decides
    ("Thanks for the quick fix but it broke again an hour later.", "neg"),
    ("It was down for a while but it works fine now, thank you.", "pos"),
    ("The technician was nice, but my laptop still crashes.", "neg"),
    ("Slow start, but the new system is great now.", "pos"),
]

# Written together with the table above, never used for tuning (see the module docstring).
IT_HELD_OUT: list[tuple[str, str]] = [
    ("Sharepoint keeps timing out when I upload files.", "neg"),
    ("The conference phone is dead again.", "neg"),
    ("Our team site has been down since this morning.", "neg"),
    ("Can't print anything from my laptop.", "neg"),
    ("Jira is crawling today.", "neg"),
    ("Still no response to my access request.", "neg"),
    ("My headset stopped working after the driver update.", "neg"),
    ("The new expenses tool is a nightmare to use.", "neg"),
    ("Whoever configured this firewall made my life miserable.", "neg"),
    ("Wifi drops every few minutes in building C.", "neg"),
    ("The screen flickers and the keyboard is unresponsive.", "neg"),
    ("Oh fantastic, Outlook froze again.", "neg"),
    ("I've rebooted five times and it still won't load.", "neg"),
    ("The fix you pushed made it worse.", "neg"),
    ("Ticket closed but nobody contacted me.", "neg"),
    ("Please provision a mailbox for the new hire.", "neu"),
    ("Could you upgrade my RAM to 32 GB?", "neu"),
    ("Kindly share the VPN setup guide.", "neu"),
    ("What time does the maintenance window start?", "neu"),
    ("I need admin rights to install Python.", "neu"),
    ("Please transfer my phone number to the new device.", "neu"),
    ("Best regards, Jonas", "neu"),
    ("Can I get a loan laptop for the trip next week?", "neu"),
    ("Our team moves to the fourth floor on Friday.", "neu"),
    ("Please support the town hall stream on Thursday.", "neu"),
    ("Thank you so much, the shared calendar shows up now.", "pos"),
    ("Fast turnaround on my request, appreciated.", "pos"),
    ("Everything works again after the restart, thanks.", "pos"),
    ("The new VPN client is so much better.", "pos"),
    ("Really happy with the new laptops.", "pos"),
    ("Issue fixed within the hour, great service.", "pos"),
    ("No more crashes since you replaced the battery.", "pos"),
    ("Outlook is running smoothly again.", "pos"),
    ("Kudos to the desk team for sorting this out.", "pos"),
    ("Nice work on the password self-reset page.", "pos"),
    ("Helpful and patient technician, thank you.", "pos"),
    ("The outage was annoying but you kept us informed, thanks.", "pos"),
    ("Fixed the monitor, but the docking station is still not recognised.", "neg"),
    ("Not bad, the new portal is much easier to use.", "pos"),
    (
        "It was fixed yesterday and today it is broken again.",
        "neg",
    ),  # Added in the second round, written before they were ever scored (never tuned on).
    ("The VPN disconnects every time I join a Teams call.", "neg"),
    ("My laptop battery dies after an hour, it's useless.", "neg"),
    ("The printer on floor two says offline again.", "neg"),
    ("I've been waiting three days for someone to unlock my account.", "neg"),
    ("Outlook won't send anything, it just sits in the outbox.", "neg"),
    ("SAP throws an error every time I try to post an invoice.", "neg"),
    ("Teams calls keep freezing and dropping.", "neg"),
    ("Slack notifications stopped coming through on my phone.", "neg"),
    ("The service desk hung up on me twice.", "neg"),
    ("Onboarding was a mess, my new hire had no laptop for a week.", "neg"),
    ("Password expired again and the reset page doesn't load.", "neg"),
    ("Why is the wifi so terrible in the canteen?", "neg"),
    ("The ticket was closed but the problem is still there.", "neg"),
    ("Honestly the new SAP screens are a step backwards.", "neg"),
    ("Keeps asking me for my password every ten minutes.", "neg"),
    ("Emails from customers are going to spam and nobody can tell me why.", "neg"),
    ("Waited on hold for an hour just to be told to restart.", "neg"),
    ("My laptop is so slow I can't get any work done.", "neg"),
    ("Great, the VPN dropped right in the middle of my presentation.", "neg"),
    ("Lost all my files after the update, not impressed.", "neg"),
    ("Please set up a shared mailbox for the sales team.", "neu"),
    ("Can you add me to the Finance channel in Teams?", "neu"),
    ("I need SAP access for the new controller starting Monday.", "neu"),
    ("Please order a docking station and two monitors for Lisa.", "neu"),
    ("How do I change my Slack display name?", "neu"),
    ("Could someone check whether my laptop is on the replacement list?", "neu"),
    ("The printer toner needs replacing on the second floor.", "neu"),
    ("We are moving the weekly backup to Sunday night.", "neu"),
    ("Please enable MFA on my new phone.", "neu"),
    ("Is the VPN required when working from the office?", "neu"),
    ("Thanks, my password works again.", "pos"),
    ("The new laptop is brilliant, so much faster than the old one.", "pos"),
    ("Really impressed with how fast the service desk picked this up.", "pos"),
    ("Teams is working fine now, cheers for the help.", "pos"),
    ("Onboarding went really well, everything was ready on day one.", "pos"),
    ("The printer is fixed, thank you for coming up so quickly.", "pos"),
    ("Big thanks to Sam for recovering my deleted files.", "pos"),
    ("VPN has been rock solid since the new client.", "pos"),
    ("Great support as always, problem sorted in minutes.", "pos"),
    ("Excellent, the SAP report runs in seconds now.", "pos"),
    ("I appreciate you staying late to fix the server.", "pos"),
    ("The new headset is great and the calls sound clear.", "pos"),
    ("Took a while, but the laptop is finally working, thanks.", "pos"),
    ("The technician was friendly but the printer still doesn't work.", "neg"),
    # Third round, written after the second round's misses had been looked at and before
    # these were scored: the honest figure for the current version (see bench output).
    ("The VPN client crashed twice during the board meeting.", "neg"),
    ("I waited forty minutes in the service desk queue and gave up.", "neg"),
    ("My new starter still has no email account on her third day.", "neg"),
    ("The SAP login screen just spins and never loads.", "neg"),
    ("Printer is out of order again, third time this month.", "neg"),
    ("Teams messages arrive hours late.", "neg"),
    ("Every update breaks something else on my laptop.", "neg"),
    ("Nobody told us the network would be down all weekend.", "neg"),
    ("The password policy is ridiculous, I have to change it every month.", "neg"),
    ("Outlook search has been useless for weeks.", "neg"),
    ("My second monitor isn't detected anymore.", "neg"),
    ("Slack is really laggy on the office wifi.", "neg"),
    ("Please unlock my account, I entered the wrong password too many times.", "neu"),
    ("Can you install the Tableau client on my machine?", "neu"),
    ("I'd like to request a new SIM card for my work phone.", "neu"),
    ("Where can I download the latest VPN profile?", "neu"),
    ("Could you rename the shared drive folder to Projects 2026?", "neu"),
    ("The new laptops will be handed out on Monday in room 4.", "neu"),
    ("Please forward the onboarding checklist to the new team lead.", "neu"),
    ("Who approves access to the payroll system?", "neu"),
    ("My mailbox is back and everything is there, thank you!", "pos"),
    ("Thanks for the quick fix on the printer, saved my afternoon.", "pos"),
    ("The new service desk portal is much clearer, well done.", "pos"),
    ("Wifi in the new office is excellent.", "pos"),
    ("Appreciate the help with the SAP roles, all working now.", "pos"),
    ("Super helpful onboarding session, the new hires loved it.", "pos"),
    ("Laptop swap was painless, thanks team.", "pos"),
    ("Teams is so much more stable since the upgrade.", "pos"),
    # Fourth round, written before lexicon v4 / rules v4 and scored once before any change
    # (27 of 36 with v3.3, see the module docstring).
    ("The VPN kicks me off whenever I switch to the hotel wifi.", "neg"),
    ("My laptop fan is constantly loud and the machine gets really hot.", "neg"),
    ("Printing a single page takes five minutes on the new printer.", "neg"),
    ("I haven't received any emails since yesterday afternoon.", "neg"),
    ("Teams shows me as offline even though I'm in a call.", "neg"),
    ("SAP logged me out in the middle of the month-end close and I lost my entries.", "neg"),
    ("The password reset tool rejected every password I tried.", "neg"),
    ("Onboarding for our new analyst has been a disaster, no accounts and no badge.", "neg"),
    ("I've been in the service desk queue for over an hour.", "neg"),
    ("The same ticket has been reassigned four times and nothing happens.", "neg"),
    ("Will SAP be unavailable during the weekend upgrade?", "neu"),
    ("The microphone on my laptop stopped picking up my voice.", "neg"),
    ("Nobody at the desk could explain why my mailbox is full.", "neg"),
    ("Please create an account for our new intern, Paul.", "neu"),
    ("Can you send me the link to the Teams training?", "neu"),
    ("I need the SAP cost center report role, thanks.", "neu"),
    ("Is there a spare charger I could borrow for today?", "neu"),
    ("The laptop refresh for the sales team starts in March.", "neu"),
    ("Could you check if the printer on the fifth floor has paper?", "neu"),
    ("What is the process for getting a second phone number?", "neu"),
    ("Please move my meeting room booking rights to Claire.", "neu"),
    ("My new password needs to be set before Friday.", "neu"),
    ("Kindly extend my VPN certificate, it expires next week.", "neu"),
    ("The VPN works perfectly from home now, thanks for the help!", "pos"),
    ("Huge thanks to the service desk, my laptop was ready in an hour.", "pos"),
    ("The new printers are quiet and really quick.", "pos"),
    ("Great onboarding experience, our new hire had everything on day one.", "pos"),
    ("Thanks Mark, the shared mailbox is showing up now.", "pos"),
    ("SAP is much faster since the upgrade, good job.", "pos"),
    ("Really appreciate how patient the technician was with me.", "pos"),
    ("Teams calls have been crystal clear since the new headsets arrived.", "pos"),
    ("The password reset was quick and easy, thank you.", "pos"),
    ("The new laptop is nice but the battery drains in two hours.", "neg"),
    ("It took a week, but the access problem is finally solved, thanks.", "pos"),
    ("Email has been fine since the migration, no complaints.", "pos"),
    ("Why do I have to call three times to get a monitor replaced?", "neg"),
    # Round five, written before v5 and scored once with v4.4: 38 of 50 (76 %).
    ("vpn kicked me out 3x this morning, cant get anything done", "neg"),
    ("My headset mic is so crackly that nobody on the call can understand me.", "neg"),
    ("Outlook calendar invites are disappearing from my calendar.", "neg"),
    ("The laptop overheats and shuts itself off during video calls.", "neg"),
    ("Been bounced between the network team and the desk all week, nobody owns it.", "neg"),
    ("MFA app stopped sending push notifications so I'm locked out every morning.", "neg"),
    ("The HR portal times out every time I try to submit my leave.", "neg"),
    ("Screen on my monitor flickers constantly, gives me a headache.", "neg"),
    ("I had to use my personal phone for the client call because Teams wouldn't start.", "neg"),
    ("OneDrive says sync pending for two days now.", "neg"),
    ("Ticket auto-closed after 5 days without anybody ever calling me.", "neg"),
    ("SAP errored out again when posting the goods receipt, we couldn't ship today.", "neg"),
    ("wow, amazing, a 3rd password reset this month. so secure.", "neg"),
    ("The printer prints everything with grey stripes, unreadable.", "neg"),
    ("Zoom video is choppy and blurry whenever more than four people join.", "neg"),
    ("Please fix the Wi-Fi in the east wing, it drops out every half hour.", "neg"),
    ("My access request has been pending approval for three weeks.", "neg"),
    ("CRM lost all the notes I entered yesterday.", "neg"),
    ("Laptop won't charge unless I wiggle the cable.", "neg"),
    ("The phone system rejected my login, the desk says it's not their problem.", "neg"),
    ("New onboarding process is confusing, our new hire sat idle for two days.", "neg"),
    ("Each time I plug in the dock both screens go black.", "neg"),
    ("Spinning wheel of death on SharePoint every time I open the project site.", "neg"),
    ("hi, can u give me access to the Q3 sharepoint folder", "neu"),
    ("Please could you arrange a laptop for our new colleague starting 12th May.", "neu"),
    ("How do I set up an out of office reply in Outlook?", "neu"),
    ("Is there a way to book a meeting room for more than four hours?", "neu"),
    ("I'm on the new VPN client since Monday.", "neu"),
    ("The new monitor arrived today.", "neu"),
    ("Meeting moved to 3pm, the dial-in details stay the same.", "neu"),
    ("Need the Power BI pro licence for reporting, cost center 4410.", "neu"),
    ("Can I get a second headset for the home office?", "neu"),
    ("What is the deadline for the Windows 11 migration?", "neu"),
    ("Please remove Tom from the project distribution list, he has left the company.", "neu"),
    ("Do I need to restart my laptop after the security patch?", "neu"),
    ("My manager asked me to request CRM read access for the audit.", "neu"),
    ("Hello, I would need a new badge with my new surname.", "neu"),
    ("We will use the training room for the SAP workshop on Thursday.", "neu"),
    ("Sorted in minutes, you guys are the best.", "pos"),
    ("Thanks Priya, spot on, the macro runs fine now.", "pos"),
    ("Huge thanks for staying on the call until the VPN connected.", "pos"),
    ("The technician went above and beyond to recover my thesis files.", "pos"),
    ("Really smooth onboarding, laptop and accounts were ready before I arrived.", "pos"),
    ("cheers for the quick fix, printer is printing again", "pos"),
    ("Super helpful and patient with all my questions about the HR portal.", "pos"),
    ("The new headsets are comfortable and the sound is crisp.", "pos"),
    ("Thank you, the calendar sync issue is gone.", "pos"),
    ("Much better wifi since the new access points went in.", "pos"),
    ("Impressed with how fast my access request was approved.", "pos"),
    ("Good job team, the CRM upgrade went without a hitch.", "pos"),
    # Round six, written with round five, scored once after the round-five families: 46 of 50.
    ("Teams keep crashing when I share screen, very annoying.", "neg"),
    ("my outlook is hanging since morning and not receiving mails", "neg"),
    ("The Wi-Fi in the warehouse is useless, scanners lose connection constantly.", "neg"),
    ("Printer says paper jam but there's no paper stuck anywhere.", "neg"),
    ("Third week without a working docking station.", "neg"),
    ("The laptop battery is dead by lunch.", "neg"),
    ("Calls on my desk phone drop after exactly ten minutes.", "neg"),
    ("I got reassigned to another queue and never heard back.", "neg"),
    ("Expenses portal keeps throwing a 500 error.", "neg"),
    ("My password expired while I was on leave and now nobody can reset it.", "neg"),
    ("SharePoint permissions are a mess, half my team can't see the folder.", "neg"),
    ("The new ERP screens are so slow that invoices pile up.", "neg"),
    ("Hello, since update the scanner is not work anymore, please help.", "neg"),
    ("Webcam image is grainy and dark on every call.", "neg"),
    ("Had to borrow a colleague's laptop for the whole day.", "neg"),
    ("My files vanished from the shared drive overnight.", "neg"),
    ("The phone app freezes whenever I try to transfer a call.", "neg"),
    ("Nice that the portal got a new look, shame that nothing loads.", "neg"),
    ("Keyboard is missing keys and the trackpad is dead.", "neg"),
    ("Great job IT, another Monday without email.", "neg"),
    ("We missed the client deadline because the VPN was out all afternoon.", "neg"),
    ("Access request rejected again with no explanation.", "neg"),
    ("Could you please tell me when my new laptop will be delivered?", "neu"),
    ("Where do I request a parking badge?", "neu"),
    ("I would like to know if Zoom is allowed for external meetings.", "neu"),
    ("Please add the printer on floor 3 to my laptop.", "neu"),
    ("The team offsite is on Tuesday, we will need two projectors.", "neu"),
    ("Is it possible to get a bigger mailbox?", "neu"),
    ("I changed teams, please update my cost center in the HR portal.", "neu"),
    ("We switched to the new CRM last week.", "neu"),
    ("Can someone show me how to set up MFA on a new phone?", "neu"),
    ("Reminder: the server room is closed for maintenance tomorrow.", "neu"),
    ("Pls install Notepad++ on PC-4471.", "neu"),
    ("When will the Teams phone rollout reach the Madrid office?", "neu"),
    ("My old laptop is ready for collection at reception.", "neu"),
    ("I'll be working from the Berlin office next week, does my badge work there?", "neu"),
    ("Need a temporary account for an external auditor for two weeks.", "neu"),
    ("Lifesaver! Got my files back just before the board meeting.", "pos"),
    ("Quick and friendly help with my Outlook rules, thanks a million.", "pos"),
    ("The VPN is rock steady since the update.", "pos"),
    ("Very happy with the new monitors, so much easier on the eyes.", "pos"),
    ("Thanks for sorting the MFA so fast, I can log in again.", "pos"),
    ("The service desk called me back within ten minutes, impressive.", "pos"),
    ("Zoom calls are finally smooth in the big meeting room.", "pos"),
    ("Thank you Ana for patiently walking me through the SAP approval steps.", "pos"),
    ("New laptop is a beast, everything opens instantly.", "pos"),
    ("Props to the network team, the office move went flawlessly.", "pos"),
    ("Printer fixed within the hour, much appreciated.", "pos"),
    ("Love the new self-service password reset, saved me a call.", "pos"),
    ("Great communication during the outage, we always knew what was going on.", "pos"),
    # Round seven, written with round five, scored once after the round-six families: 49 of 50.
    ("The VPN disconnects the moment I open a large file.", "neg"),
    ("Cannot join any Zoom meeting, it is stuck on connecting.", "neg"),
    ("My account got locked out for no reason again.", "neg"),
    ("The CRM loads forever and then shows a blank page.", "neg"),
    ("Since the migration my signature is gone and my folders are empty.", "neg"),
    ("Been chasing this ticket for a month, still open.", "neg"),
    ("Laptop fan sounds like a jet engine.", "neg"),
    ("OneDrive wiped my desktop folder after the sync.", "neg"),
    ("Headset echoes so badly that customers hang up.", "neg"),
    ("Every time I dock the laptop it blue screens.", "neg"),
    ("Teams won't let me log in, just loops back to the sign-in page.", "neg"),
    ("The button to submit my timesheet is greyed out.", "neg"),
    ("IT support is a black hole, nothing ever comes back.", "neg"),
    ("Wifi is slow as molasses on the 4th floor.", "neg"),
    ("Requesting an urgent fix, the payroll export has failed twice.", "neg"),
    ("The new phone is bricked after the update.", "neg"),
    ("Software centre installs fail halfway with code 0x87D00607.", "neg"),
    ("SAP hangs whenever I run the month-end report, so I work from paper printouts.", "neg"),
    ("My emails bounce back when I write to our supplier.", "neg"),
    (
        "Honestly the worst onboarding I have experienced, no laptop, no access, no one to ask.",
        "neg",
    ),
    ("The screen goes dark every few minutes even though power settings are correct.", "neg"),
    ("Love waiting 20 minutes for my laptop to boot every morning.", "neg"),
    ("Can you tell me the Wi-Fi password for guests?", "neu"),
    ("I'd like to move my calendar to the new tenant before Friday.", "neu"),
    ("Please grant Maria edit rights on the budget sheet.", "neu"),
    ("Which headset models are approved for purchase?", "neu"),
    ("The HR portal will be down for maintenance Saturday night.", "neu"),
    ("Our department got new desk phones this morning.", "neu"),
    ("Is there a way to recover an older version of a Word file?", "neu"),
    ("I need access to the shared mailbox of the legal team.", "neu"),
    ("Hi, new starter here, where do I pick up my laptop?", "neu"),
    ("Could we get a projector in room 2.14?", "neu"),
    ("How long does it take to approve a software request?", "neu"),
    ("Just installed the update, will let you know how it goes.", "neu"),
    ("Please send me the instructions for setting up email on an iPhone.", "neu"),
    ("The CRM training is scheduled for next Wednesday at 10.", "neu"),
    ("My phone number changes on 1 July, please update the directory.", "neu"),
    ("You sorted it in five minutes, legend.", "pos"),
    ("Thanks heaps, the printer is behaving again.", "pos"),
    ("The support team was patient and explained everything clearly.", "pos"),
    ("Everything synced overnight, no more missing files, thank you.", "pos"),
    ("New VPN is way faster, nice work.", "pos"),
    ("Thanks for getting my access sorted before the audit.", "pos"),
    ("Wow, the new laptops boot in seconds, love them.", "pos"),
    ("Appreciate the quick turnaround on my software request.", "pos"),
    ("The Teams room kit is fantastic, the sound is crystal clear.", "pos"),
    ("Problem's gone since you swapped the cable, cheers.", "pos"),
    ("Helpdesk was brilliant today, solved two issues in one call.", "pos"),
    ("Kudos for keeping us updated during the SAP upgrade.", "pos"),
    ("Excellent service, the replacement monitor arrived the next day.", "pos"),
    # Round eight, written after rounds five to seven were tuned on, scored once: 21 of 30.
    ("Outlook won't save my drafts anymore.", "neg"),
    ("The badge reader at the side entrance rejects my card every single day.", "neg"),
    ("VPN dropped me four times during one call, I give up.", "neg"),
    ("The docking station makes my external monitor go to sleep every few minutes.", "neg"),
    ("My CRM dashboard shows zeros for everything since the weekend.", "neg"),
    ("Zoom freezes my whole laptop when I share a video.", "neg"),
    ("Not impressed, the replacement headset is worse than the broken one.", "neg"),
    ("The HR portal logs you off after two minutes of reading, super annoying.", "neg"),
    ("Printer on 2 prints blank pages.", "neg"),
    ("I raised the ticket on Monday and it is Friday now.", "neg"),
    ("SharePoint says I don't have permission to my own folder.", "neg"),
    ("The desk phone has no dial tone since the office move.", "neg"),
    ("Laptop battery swelled up and the trackpad doesn't click.", "neg"),
    ("Could somebody finally fix the projector in room 5? It has been broken for a month.", "neg"),
    ("Can you reset my MFA? I got a new phone.", "neu"),
    ("Please add a shared calendar for the night shift.", "neu"),
    ("What's the best way to send large files to a client?", "neu"),
    ("Our team will start using the new ticket form from Monday.", "neu"),
    ("Do we have a licence for Miro?", "neu"),
    ("Hi, could you check if my leave request reached HR? Thanks", "neu"),
    ("The network switch in the basement will be replaced on Saturday.", "neu"),
    ("I'm sending the signed laptop agreement back today.", "neu"),
    ("Thank you so much for rescuing my presentation!", "pos"),
    ("The new Wi-Fi is night and day compared to before.", "pos"),
    ("Smooth password change, the new portal guides you well.", "pos"),
    ("Big shout out to Lena for setting up my whole desk before I arrived.", "pos"),
    ("The CRM finally remembers my filters, nice.", "pos"),
    ("Thanks, got the new headset, sound quality is great.", "pos"),
    ("Support fixed my calendar sharing in one go, very efficient.", "pos"),
    ("The laptop was slow but it is flying after the SSD upgrade.", "pos"),
    # Round nine, written after round eight's families, scored once: 20 of 30 (67 %).
    ("Half my apps crash on launch since the Windows update.", "neg"),
    ("The Teams status is stuck on away all day.", "neg"),
    ("Every other print job just disappears from the queue.", "neg"),
    ("Can't hear anyone on Zoom unless I unplug and replug the headset.", "neg"),
    ("The scanner sends the PDFs to nowhere.", "neg"),
    ("Honestly the new ERP feels like a downgrade from the old one.", "neg"),
    ("I spend more time fighting the VPN than doing my job.", "neg"),
    ("Our shared mailbox has been read-only since Tuesday.", "neg"),
    ("The laptop they gave me has a cracked screen.", "neg"),
    ("It said my request was approved, then nothing for two weeks.", "neg"),
    ("My calls keep going straight to voicemail even though I'm at my desk.", "neg"),
    ("The expense app eats my receipts half the time.", "neg"),
    ("Sorry but this is the third laptop in a row with a faulty keyboard.", "neg"),
    ("Please tell me why the wifi password changes every week.", "neg"),
    ("Can you book me on the Excel training in June?", "neu"),
    ("The IT newsletter is out, it covers the new phishing rules.", "neu"),
    ("Which floor is the service desk on now?", "neu"),
    ("Please disable the account of Mark Peters, his last day was Friday.", "neu"),
    ("I will be testing the new CRM with two colleagues this week.", "neu"),
    ("Could you clarify whether personal phones can join the guest network?", "neu"),
    ("We received the new toner cartridges.", "neu"),
    ("My laptop needs the Teams add-in for Outlook installed.", "neu"),
    ("Thanks for the heads-up about the maintenance, very considerate.", "pos"),
    ("Ahmed from the desk is a star, fixed my printer in two minutes.", "pos"),
    ("The new onboarding checklist made my first week so easy.", "pos"),
    ("No more VPN drops since the firmware update, finally!", "pos"),
    ("The remote support session was quick and painless, cheers.", "pos"),
    ("I was dreading the migration but it was totally seamless.", "pos"),
    ("Login is so much quicker with the new MFA app.", "pos"),
    ("The tech explained the fix so I can do it myself next time, thank you.", "pos"),
]

ISSUE_EXAMPLES = [
    ("The VPN is down again.", "neg"),
    ("My laptop keeps crashing.", "neg"),
    ("No issues since the patch.", "pos"),
    ("Thanks for nothing.", "neg"),
    ("Great, another outage. Just great.", "neg"),
    ("Please reset my password.", "neu"),
    ("Kind regards, Maria", "neu"),
]


def _accuracy(table: list[tuple[str, str]]) -> tuple[float, list[str]]:
    misses = []
    for text, expected in table:
        got = score(text)
        if got.label != expected:
            misses.append(f"{expected} -> {got.label} ({got.compound:+.3f}): {text}")
    return 1 - len(misses) / len(table), misses


def test_table_is_big_enough_and_unique() -> None:
    assert len(IT_FEEDBACK) >= 80
    texts = [t for t, _ in IT_FEEDBACK + IT_HELD_OUT]
    assert len(texts) == len(set(texts))
    assert {lab for _, lab in IT_FEEDBACK} == {"neg", "neu", "pos"}


def test_it_feedback_accuracy() -> None:
    acc, misses = _accuracy(IT_FEEDBACK)
    print(f"\nIT feedback: {acc:.1%} correct of {len(IT_FEEDBACK)}")
    for m in misses:
        print("  miss:", m)
    assert acc >= 0.90


def test_held_out_accuracy_reported() -> None:
    acc, misses = _accuracy(IT_HELD_OUT)
    print(f"\nIT held out: {acc:.1%} correct of {len(IT_HELD_OUT)}")
    for m in misses:
        print("  miss:", m)
    assert acc >= 0.70  # loose: this table is for honest reporting, not a tuning target


ROUNDS = Path(__file__).parent / "it_rounds"
# Accuracy each round must keep: the tuned-on rounds near their current score, blind
# round three (never tuned on) at its first score.
ROUND_FLOORS = {
    "round10": 0.96,
    "round11": 0.96,
    "blind1": 0.97,
    "blind2": 0.97,
    "blind3": 0.95,
    "blind4": 0.97,
    "blind5": 0.97,
    "blind6": 0.97,
    # held out while v7 was built: its v7 score, not a tuning target
    "blind7": 0.95,
    "blind8": 0.97,
    "blind9": 0.97,
    "blind10": 0.97,
    "blind11": 0.97,
    "blind12": 0.97,
    "blind13": 0.96,
    # never tuned on: their first (and only) score with the final v7
    "blind14": 0.90,
    "blind15": 0.90,
}


def read_round(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (ROUNDS / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, label = line.split("\t")
            rows.append((text, label))
    return rows


@pytest.mark.parametrize("name", sorted(ROUND_FLOORS))
def test_written_rounds_keep_their_accuracy(name: str) -> None:
    table = read_round(name)
    assert {lab for _, lab in table} == {"neg", "neu", "pos"}
    acc, misses = _accuracy(table)
    print(f"\n{name}: {acc:.1%} correct of {len(table)}")
    for m in misses:
        print("  miss:", m)
    assert acc >= ROUND_FLOORS[name]


@pytest.mark.parametrize(("text", "expected"), ISSUE_EXAMPLES)
def test_issue_examples(text: str, expected: str) -> None:
    assert score(text).label == expected


def test_score_shape() -> None:
    s = score("The VPN is down again.")
    compound, pos, neu, neg, label = s
    assert -1.0 <= compound <= 1.0
    assert abs(pos + neu + neg - 1.0) < 0.01
    assert label == "neg"
    assert score("") == (0.0, 0.0, 1.0, 0.0, "neu")
    assert score("   ") == (0.0, 0.0, 1.0, 0.0, "neu")


def test_thresholds_and_version() -> None:
    assert NEGATIVE_THRESHOLD < 0 < POSITIVE_THRESHOLD
    assert ITSCORE_VERSION.startswith("vader3.3.2-it")
    version, entries = read_lexicon()
    assert version == LEXICON_VERSION
    for word in ("crash", "crashes", "crashed", "crashing"):
        assert entries.get(word, 0) < 0 or word == "crash"


def test_explain_names_rules_and_words() -> None:
    e = explain("Great, another outage. Just great.")
    assert e["label"] == "neg"
    rules = [c["rule"] for c in e["contributions"] if c["source"] == "rule"]
    assert any("sarcasm" in r for r in rules)
    words = {c["word"]: c for c in e["contributions"] if c["source"] != "rule"}
    assert words["outage"]["source"] == "it-lexicon" and words["outage"]["valence"] < 0

    e = explain("The VPN is down again.")
    assert [c["rule"] for c in e["contributions"]] == ["X is down"]
    assert e["contributions"][0]["valence"] < 0

    e = explain("Please reset my password.")
    assert e["contributions"] == []  # politeness carries no valence
    assert e["label"] == "neu"


def test_explain_shows_vader_words_and_cleaning() -> None:
    e = explain("The new laptop is great!\n\nKind regards,\nMaria\n> quoted text is terrible")
    assert e["cleaned"] == "The new laptop is great!"
    assert [(c["source"], c["word"]) for c in e["contributions"]] == [("vader", "great")]


def test_cleaning_removes_noise() -> None:
    assert (
        clean_text("See https://intranet/x or mail it@corp.com about INC0012345")
        == "See or mail about"
    )
    assert clean_text("Fixed, thanks!\nOn Mon, 3 Jun, IT wrote:\n> closed") == "Fixed, thanks!"
    assert clean_text("Kind regards, Maria") == ""
    # sign-off words inside a sentence are kept
    assert "best support" in clean_text("Great job, best support ever")


def test_it_senses_are_neutral() -> None:
    for text in (
        "Please kill the process.",
        "Open the file in Excel.",
        "The help desk moved.",
        "Install the critical update tonight.",
        "Shared folder for the audit.",
    ):
        assert score(text).label == "neu", text


# v7 families, one line each (text<TAB>label): what the blind rounds four to six taught.
V7_FAMILIES = """
No comment.	neu
Nothing to add.	neu
Noted, thanks.	neu
Please add the new starter to the Fraud team distribution list.	neu
Can the Emergency Department have two more label printers?	neu
Thanks in advance, Rob (Estates)	neu
Joy from Payroll asked me to raise this.	neu
The patient list on the ward PC will not refresh.	neg
Helpdesk was very patient with me.	pos
No more blue screens since the BIOS update.	pos
Haven't had a single Wi-Fi problem since you moved the access point.	pos
Didn't have any problems until the update last night.	neg
The printer hasn't jammed once since the new tray went in.	pos
The issue hasn't come back.	pos
My laptop can't run Teams and Excel at the same time without freezing.	neg
Could be better.	neg
Response times could be a lot better.	neg
The new portal leaves a lot to be desired.	neg
Can't complain.	pos
Couldn't have asked for more.	pos
Whoever set up the new workflow deserves a raise.	pos
You're a star, thank you.	pos
The self-service reset is a game changer.	pos
Thanks for the "quick" fix, it only took six weeks.	neg
Another "planned maintenance" in exam week.	neg
Click "Update" and restart the app.	neu
Another outage? Who plans these?	neg
Does anyone actually read these surveys?	neg
Is anyone else's Teams dropping calls?	neg
Does anyone else need access to the new drive?	neu
Is there a reason the shared drive is read-only since this morning?	neg
We were promised the new module in January. It's April.	neg
I have been chasing this since March.	neg
Everything takes too long.	neg
The new laptop still had someone else's files on it.	neg
What time does the downtime start on Saturday?	neu
Will Teams be affected by the maintenance on Saturday?	neu
The office is closed on Friday, so no on-site support is needed.	neu
Please order toner for the 3rd floor printer, it's showing low.	neu
Which printer should I use now that the old plotter is gone?	neu
Thank you so much for recovering the folder, I thought I'd lost a week of work.	pos
Phew, the VPN is back.	pos
The remote session was quick and the technician explained everything.	pos
Installing the new reader took two minutes.	pos
Printing a single page takes five minutes.	neg
Wonderful, the printer jammed again before the board meeting. Truly wonderful.	neg
The LMS went down during the exam. Impeccable timing.	neg
Oh great, another phishing test during month-end. Exactly what finance needed.	neg
The new docking station is exactly what I needed!	pos
I love how the new portal shows everything on one page.	pos
Love being asked to approve MFA five times before lunch.	neg
The outage updates last week were really clear.	pos
It's fine when it works, which is about half the time.	neg
Please enable external sharing on the project site.	neu
Do I need anything special for the VPN when abroad?	neu
Could you explain the difference between the Confidential and Privileged labels?	neu
The label printer is printing blank wristbands.	neg
The student portal shows 0 for modules I passed.	neg
The batteries don't last a full shift anymore.	neg
The setup guide is outdated.	neg
It's impossible to e-mail the scans, they are too big.	neg
The booking system double-booked the room.	neg
The quarantine keeps eating emails from our examiners.	neg
The shared mailbox isn't getting any emails since yesterday.	neg
Outlook search can't find anything older than March.	neg
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # words glued by an ellipsis are split, so the negation applies
        ("Restarted twice...not fixed.", "neg"),
        # negation does not reach across a sentence end
        ("Any issues? No. Great service overall.", "pos"),
        # an answer, a comparison or a request is no praise
        ("Yes, the asset number is on the form.", "neu"),
        ("Requests like this one go to the service desk.", "neu"),
        ("I would like a docking station for home.", "neu"),
        # service-failure words and waiting
        ("The technician was late again and we waited an hour.", "neg"),
        ("Still stranded without a laptop.", "neg"),
        ("I was told it would be done by Friday.", "neg"),
        # "can't wait" is eagerness, not a failure
        ("Can't wait for the new laptops.", "pos"),
        # durations in a report are waiting; a sentence adverb is not flipped by "not"
        ("The restore took 6 hours.", "neg"),
        ("Remote access is not an option for me, unfortunately.", "neg"),
        # inflected actions, broken-state idioms and workflow words
        ("The portal never loads on my phone.", "neg"),
        ("The badge printer is out of order.", "neg"),
        ("My headset is not detected anymore.", "neg"),
        ("Who approves new software requests?", "neu"),
        ("Please commit the config change and create a new branch.", "neu"),
        ("Problem fixed, thank you.", "pos"),
        # v4: emoji variation selectors, repeated emoticons, slash-joined words
        ("Thanks :)) \u2764\ufe0f", "pos"),
        ("The new expenses form is clunky/tedious.", "neg"),
        # v4: grievance patterns; an explanatory "that's why" is not one
        ("Why do I have to re-enter my password every day?", "neg"),
        ("That's why I asked for a new badge.", "neu"),
        ("I have called the desk three times about this.", "neg"),
        ("The new tool really let us down.", "neg"),
        ("The desk was less than helpful.", "neg"),
        ("We have yet to receive the replacement laptops.", "neg"),
        ("You guys rock!", "pos"),
        # v5: failure families beyond single words
        ("It logs me out every hour.", "neg"),
        ("The session times out while I type.", "neg"),
        ("The screen went black during the call.", "neg"),
        ("Outlook takes ages to open.", "neg"),
        ("Nothing happens when I click Submit.", "neg"),
        ("The fan gets really loud when I run Excel.", "neg"),
        ("Had to dial in from my mobile because the room system was dead.", "neg"),
        ("I have to restart the VPN client every morning.", "neg"),
        ("The old files are gone.", "neg"),
        # v5: requests, plans and status are neutral
        ("Please log me out of all sessions.", "neu"),
        ("Please book the room for two hours.", "neu"),
        ("Do I need to restart after the patch?", "neu"),
        ("He is gone for the day.", "neu"),
        ("The laptop is black.", "neu"),
        ("My badge expires next week, how do I renew it?", "neu"),
        # v5: praise idioms and repairs
        ("The tech fixed it in five minutes, great.", "pos"),
        ("Thank you for going above and beyond.", "pos"),
        ("The upgrade went without a hitch.", "pos"),
        ("The error is gone now.", "pos"),
        ("Thanks for looking into my problem so quickly.", "pos"),
        ("Thanks for keeping us in the loop.", "pos"),
        # v5: sarcasm needs a failure next to it
        ("What a great start to Monday, Outlook is down.", "neg"),
        ("What a great start to the new year!", "pos"),
    ]
    + [tuple(line.rsplit("\t", 1)) for line in V7_FAMILIES.strip().splitlines()],
)
def test_general_service_language(text: str, expected: str) -> None:
    assert score(text).label == expected, explain(text)


def test_explain_uses_the_same_text_as_score() -> None:
    e = explain("Restarted twice...not fixed.")
    assert e["label"] == score("Restarted twice...not fixed.").label
    assert any(c.get("word") == "fixed" and c["valence"] < 0 for c in e["contributions"])


def test_long_texts_are_damped() -> None:
    short = "The build is slow."
    padding = " The config file lists the modules, the paths and the build targets." * 4
    long_score = score(short + padding).compound
    assert long_score < 0
    assert abs(long_score) < abs(score(short).compound)


def test_report_rules_skip_requests() -> None:
    # a bare duration is a wait in a report, a planned span in a request
    assert score("The printer has been broken for two weeks.").label == "neg"
    assert score("Need a loan laptop for two weeks, please.").label == "neu"


def test_lowercase_rule_pass_matches_the_case_insensitive_one() -> None:
    from sentiment.itscore.scorer import ITAnalyzer

    fast = ITAnalyzer()
    slow = ITAnalyzer()
    slow._lower_patterns = tuple(None for _ in slow.rules)
    slow._plan = slow._make_plan()
    for text, _ in IT_FEEDBACK + IT_HELD_OUT:
        for variant in (text, text.upper(), text.title()):
            assert fast.apply_rules(variant) == slow.apply_rules(variant), variant


def _all_round_texts() -> list[str]:
    texts = [t for t, _ in IT_FEEDBACK + IT_HELD_OUT + ISSUE_EXAMPLES]
    for name in ROUND_FLOORS:
        texts += [t for t, _ in read_round(name)]
    return texts


def test_plain_lookback_shortcut_gives_vaders_arithmetic() -> None:
    """Skipping the look-back for a lexicon word with nothing before it that could change
    it must give exactly the full look-back's result, in every case and capitalisation."""
    from sentiment.itscore.scorer import ITAnalyzer

    fast = ITAnalyzer()
    full = ITAnalyzer()
    full.plain_lookback = False
    extra = [
        "This is SO not good. VERY bad, kind of ok, not great at all!",
        "Never so good. Without doubt the best. At least it isn't horrible.",
        "The bus stop is the bomb, yeah right, kiss of death. Sort of fine, just enough.",
    ]
    for text in _all_round_texts() + extra:
        for variant in (text, text.upper(), text.title(), text.lower()):
            assert fast.it_scores(variant) == full.it_scores(variant), variant


def test_one_pass_scoring_matches_vaders_score_valence() -> None:
    """finish() computes VADER's score_valence in one pass; before the sentence-level
    correction (which only lowers the compound) the figures are VADER's."""
    from sentiment.itscore.scorer import _LENGTH_POWER, _LENGTH_REF, ITAnalyzer

    a = ITAnalyzer()
    checked = 0
    for text in _all_round_texts():
        prepared = a.prepare(clean_text(text))
        if not prepared:
            continue
        raw, _, sentiments = a._valences(prepared)
        mine = a.finish(raw, list(sentiments), prepared)
        n = len(sentiments)
        if n > _LENGTH_REF:
            sentiments = [v * (_LENGTH_REF / n) ** _LENGTH_POWER for v in sentiments]
        vader = a.score_valence(list(sentiments), prepared)
        assert (mine.pos, mine.neu, mine.neg) == (vader["pos"], vader["neu"], vader["neg"])
        assert mine.compound <= vader["compound"]
        if not any(r[-1] in ".!?" for r in raw[:-1]):  # one sentence: no correction
            assert mine.compound == vader["compound"], text
        checked += 1
    assert checked > 500


def test_request_words_precheck_never_hides_a_request() -> None:
    """REQUEST_WORDS lets the scorer skip REQUEST_CUE; every text the cue finds holds "?"
    or one of those words (as the scorer's stripped, lower-cased words)."""
    from sentiment.itscore.rules import REQUEST_CUE, REQUEST_WORDS
    from sentiment.itscore.scorer import _strip

    cues = [
        "Please reset it",
        "pls help",
        "Could you check",
        "Can someone look",
        "Would you mind",
        "Will you call",
        "I need access",
        "The team needs a laptop",
        "I'd like Visio",
        "I would like a dock",
        "Requesting a licence",
        "Request for a phone",
        "Is it possible to",
        "How do I",
        "Kindly install",
    ]
    for text in _all_round_texts() + cues:
        if REQUEST_CUE.search(text):
            words = {_strip(w) for w in text.lower().split()}
            assert "?" in text or not REQUEST_WORDS.isdisjoint(words), text
