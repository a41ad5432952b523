"""The core domain: who said what, in which thread, about which IT service, and its score."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Voice(models.TextChoices):
    BUSINESS = "business", "Business user"
    IT_STAFF = "it_staff", "IT staff"
    BOT = "bot", "Bot / automation"


class Category(models.Model):
    """A service of the IT catalogue (E-mail, Network/VPN, ...).

    Assigned to a thread from the source's own fields first (`aliases`), keyword
    rules on the text second (`keywords`), and "Other" last.
    """

    OTHER_SLUG = "other"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    aliases = models.TextField(
        blank=True, help_text="Source field values that mean this service, one per line."
    )
    keywords = models.TextField(
        blank=True,
        help_text="Words or phrases in the text that point to this service, one per line.",
    )
    position = models.PositiveIntegerField(default=100, help_text="Order of matching and display.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [a.strip().lower() for a in self.aliases.splitlines() if a.strip()]

    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.splitlines() if k.strip()]


class StaffDirectoryEntry(models.Model):
    """Admin-maintained: who is IT staff (or a bot) where the platform does not say.

    Applied at ingest to comments whose source gave no voice of its own (the platform's
    role signal always wins). `collect NAME --full` re-applies a changed directory to
    what is stored: changed voices are updated and the metrics recomputed.
    """

    class Kind(models.TextChoices):
        DOMAIN = "domain", "E-mail domain (it.example.com, and its subdomains)"
        EMAIL = "email", "E-mail address"
        PERSON = "person", "Author id or display name as the source gives it"
        GROUP = "group", "Group / team the source reports for the author"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=255)
    voice = models.CharField(
        max_length=10,
        choices=[(Voice.IT_STAFF, Voice.IT_STAFF.label), (Voice.BOT, Voice.BOT.label)],
        default=Voice.IT_STAFF,
    )
    source = models.ForeignKey(
        "collectors.Source",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: applies to every source.",
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = "IT-staff directory entry"
        verbose_name_plural = "IT-staff directory"

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(' (')[0]} {self.value} → {self.voice}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.value = self.value.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


class Person(models.Model):
    """An author as one source knows them."""

    source = models.ForeignKey("collectors.Source", on_delete=models.CASCADE, related_name="people")
    external_id = models.CharField(max_length=255)
    display_name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=120, blank=True)
    voice = models.CharField(max_length=10, choices=Voice.choices, default=Voice.BUSINESS)
    # Stable keyed hash of (source, external_id): shown where identities must not be.
    pseudonym = models.CharField(max_length=32, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="person_source_external_id"
            )
        ]
        verbose_name_plural = "people"
        permissions = [("view_identity", "Can see authors' names and e-mail addresses")]

    def __str__(self) -> str:
        # Never the name: str() reaches pages (the admin's titles, links, delete lists)
        # that do not check sentiment.view_identity.
        return self.pseudonym


class Thread(models.Model):
    """A ticket, a chat thread or a survey response."""

    source = models.ForeignKey(
        "collectors.Source", on_delete=models.CASCADE, related_name="threads"
    )
    external_id = models.CharField(max_length=255)
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True, help_text="Deep link back to the source.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads")
    department = models.CharField(max_length=120, blank=True)
    opened_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    # What the thread adds to "sentiment lift" (sentiment/weekly.py), kept by the rollup
    # refresh: set when it has at least two scored business comments. The ISO week of the
    # last one, last minus first compound, and who opened it (person key as in DailyAuthor).
    lift_week = models.DateField(null=True, blank=True, editable=False)
    lift_delta = models.FloatField(null=True, blank=True, editable=False)
    lift_person = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="thread_source_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["last_activity_at"], name="thread_last_activity"),
            models.Index(fields=["category", "last_activity_at"], name="thread_category_activity"),
            models.Index(fields=["lift_week", "category"], name="thread_lift_week"),
            models.Index(fields=["category", "lift_week"], name="thread_category_lift"),
        ]

    def __str__(self) -> str:
        return self.title or self.external_id

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("thread", args=[self.pk])

    @property
    def safe_url(self) -> str:
        """The link back to the source, only if it is http(s) (never `javascript:`)."""
        return self.url if self.url.lower().startswith(("https://", "http://")) else ""


class CommentQuerySet(models.QuerySet):
    def business(self) -> CommentQuerySet:
        return self.filter(voice=Voice.BUSINESS)

    def scored(self) -> CommentQuerySet:
        return self.filter(compound__isnull=False)

    def needs_scoring(self, version: str) -> CommentQuerySet:
        return self.filter(Q(compound__isnull=True) | ~Q(scorer_version=version))

    def positive(self) -> CommentQuerySet:
        from .scoring import POSITIVE_THRESHOLD

        return self.filter(compound__gte=POSITIVE_THRESHOLD)

    def negative(self) -> CommentQuerySet:
        from .scoring import NEGATIVE_THRESHOLD

        return self.filter(compound__lte=NEGATIVE_THRESHOLD)


class Comment(models.Model):
    """One utterance. Unique per (source, external_id): re-collection updates, never duplicates."""

    source = models.ForeignKey(
        "collectors.Source", on_delete=models.CASCADE, related_name="comments"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    external_id = models.CharField(max_length=255)
    raw_body = models.TextField(help_text="As the source gave it; shown (escaped) to readers.")
    clean_body = models.TextField(help_text="What was scored.")
    voice = models.CharField(max_length=10, choices=Voice.choices, default=Voice.BUSINESS)
    created_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    compound = models.FloatField(null=True, blank=True)
    pos = models.FloatField(null=True, blank=True)
    neu = models.FloatField(null=True, blank=True)
    neg = models.FloatField(null=True, blank=True)
    scorer_version = models.CharField(max_length=40, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # A survey's numeric answer given with the comment (CSAT, NPS), for rating vs sentiment.
    rating = models.FloatField(null=True, blank=True)
    rating_scale = models.CharField(max_length=16, blank=True, help_text='e.g. "1-5", "0-10"')
    ingested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="comment_source_external_id"
            )
        ]
        indexes = [
            # Rollup recompute reads one source's comments of one day.
            models.Index(fields=["source", "created_at"], name="comment_source_created"),
            models.Index(fields=["thread", "created_at"], name="comment_thread_created"),
            # The sweep for never-scored comments stays cheap as the table grows.
            models.Index(
                fields=["id"], condition=Q(compound__isnull=True), name="comment_unscored"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.external_id}"


class DailySentiment(models.Model):
    """Rollup: one row per day x source x category x department, business voice only.

    Recomputed from the comment table for the touched days, never incremented, so a
    re-delivered task cannot double-count. Dashboards read these, not comments.
    """

    day = models.DateField()
    source = models.ForeignKey("collectors.Source", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    department = models.CharField(max_length=120, blank=True)
    n = models.PositiveIntegerField()
    sum_compound = models.FloatField()
    n_positive = models.PositiveIntegerField()
    n_negative = models.PositiveIntegerField()
    n_neutral = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "category", "department"], name="daily_sentiment_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="daily_sentiment_day")]
        verbose_name_plural = "daily sentiment"

    def __str__(self) -> str:
        return f"{self.day} {self.source_id}/{self.category_id}/{self.department}: {self.n}"


class DailyAuthor(models.Model):
    """Who spoke: one row per day x source x category x department x person (business
    voice, scored), recomputed with DailySentiment. Distinct people over any period and
    grouping are counted from it, for the rule that a figure about fewer than 5 people is
    never shown. `person_key` is the Person id, or minus the thread id for a comment
    without a known author (each such thread counts as one person)."""

    day = models.DateField()
    source = models.ForeignKey("collectors.Source", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    department = models.CharField(max_length=120, blank=True)
    person_key = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "category", "department", "person_key"],
                name="dailyauthor_unique",
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="dailyauthor_day"),
            # For the exact count of a small group's people over many weeks.
            models.Index(fields=["source", "day"], name="dailyauthor_source_day"),
            models.Index(fields=["category", "day"], name="dailyauthor_category_day"),
            models.Index(fields=["department", "day"], name="dailyauthor_department_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.person_key}"


class WeeklyRollup(models.Model):
    """The rollups folded into ISO weeks (Monday start): one row per week for the total
    (`dimension` "all", `key` "") and one per source, service category and department
    (`key` the source or category id as text, or the department). `people` is the exact
    number of distinct people behind the row (from DailyAuthor), which cannot be added up
    across days or groups: that is why this table exists. Recomputed for a week from
    DailySentiment and DailyAuthor whenever one of its days is, never incremented. The
    weekly overview reads only this, WeeklyLift and WeeklyTheme."""

    ALL, SOURCE, CATEGORY, DEPARTMENT = "all", "source", "category", "department"

    week = models.DateField()
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=120, blank=True)
    n = models.PositiveIntegerField()
    n_positive = models.PositiveIntegerField()
    n_negative = models.PositiveIntegerField()
    n_neutral = models.PositiveIntegerField()
    sum_compound = models.FloatField()
    people = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "week", "key"], name="weekly_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.dimension}:{self.key} n={self.n}"


class WeeklyLift(models.Model):
    """Sentiment lift per ISO week x service category: the threads whose last scored
    business comment falls in the week (at least two such comments), their number, the
    sum of (last - first compound) and the distinct people who opened them. Recomputed
    from Thread.lift_* with WeeklyRollup."""

    week = models.DateField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    threads = models.PositiveIntegerField()
    sum_delta = models.FloatField()
    people = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "category"], name="weekly_lift_key")]

    def __str__(self) -> str:
        return f"{self.week} {self.category_id}: {self.threads}"


class WeeklyPending(models.Model):
    """An ISO week whose WeeklyRollup and WeeklyLift rows must be recomputed; written in
    the transaction that recomputed one of its days (same claim protocol as
    RollupPending)."""

    week = models.DateField(unique=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.week)


class WeeklyState(models.Model):
    """When a week's figures last changed and when its negative themes were last found
    (themes read comment text, so they are refreshed after the figures settle)."""

    week = models.DateField(unique=True)
    changed_at = models.DateTimeField()
    themes_at = models.DateTimeField(null=True, blank=True)
    # The changed_at the stored themes were computed from (stale while it differs).
    themes_of = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.week)


class WeeklyTheme(models.Model):
    """A frequent phrase in one week's negative business comments (see
    sentiment.weekly.themes_of_week): comments it appears in and their distinct people.
    Only phrases that pass the fewer-than-5-people rule are stored."""

    week = models.DateField()
    phrase = models.CharField(max_length=200)
    comments = models.PositiveIntegerField()
    people = models.PositiveIntegerField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "phrase"], name="weekly_theme_key")]
        ordering = ["week", "rank"]

    def __str__(self) -> str:
        return f"{self.week} {self.phrase} ({self.comments})"


class RollupPending(models.Model):
    """A (source, day) whose rollup must be recomputed.

    Written in the same transaction as the scores that dirty it, so a crash between
    scoring and rolling up loses nothing. Writers upsert (ON CONFLICT DO UPDATE, which
    row-locks until they commit); the refresher claims rows FOR UPDATE SKIP LOCKED and
    deletes them in the transaction that recomputes them, so a day dirtied while it is
    being recomputed is either skipped now or re-marked after: never lost.
    """

    source = models.ForeignKey("collectors.Source", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "day"], name="rollup_pending_key")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.day}"


class ScorerSettings(models.Model):
    """One row: the revision of the organisation's own lexicon entries and phrase rules.

    Every change to a LexiconEntry or PhraseRule bumps `revision` (in the same
    transaction), and the scorer version recorded on each comment includes it, so
    `rescore` knows which comments were scored before the change.
    """

    revision = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "scorer settings"
        verbose_name_plural = "scorer settings"

    def __str__(self) -> str:
        return f"custom scoring revision {self.revision}"


class LexiconEntry(models.Model):
    """A word the organisation scores its own way, over VADER's and Earshot's IT lexicon."""

    token = models.CharField(
        max_length=60,
        unique=True,
        help_text="One word, lower case (e.g. 'citrix', 'laggy'). Several spellings: one entry each.",
    )
    valence = models.FloatField(
        help_text="-4 (very negative) .. +4 (very positive); 0 makes the word neutral."
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why: shown to other admins.")
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["token"]
        verbose_name_plural = "lexicon entries"

    def __str__(self) -> str:
        return f"{self.token} {self.valence:+g}"

    def clean(self) -> None:
        from .custom import normalize_token, validate_valence

        self.token = normalize_token(self.token)
        if self.valence is not None:
            validate_valence(self.valence)


class PhraseRule(models.Model):
    """A phrase the organisation scores its own way ("citrix is down again" -> negative).

    `pattern` is a phrase: words separated by spaces, matched case-insensitively on word
    boundaries, `*` standing for any one word and `[a|b]` for either word; or, with
    `is_regex`, a Python regular expression.
    """

    class Kind(models.TextChoices):
        FIXED = "fixed", "Always applies"
        REQUEST = "request", "Only in a request (politeness, not praise)"

    name = models.CharField(max_length=80, unique=True)
    pattern = models.CharField(max_length=300)
    is_regex = models.BooleanField(default=False, help_text="Pattern is a regular expression.")
    valence = models.FloatField(help_text="-4 .. +4, as for lexicon entries.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FIXED)
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .custom import compile_rule, validate_valence

        if self.valence is None or not self.pattern:
            return
        try:
            validate_valence(self.valence)
        except ValidationError as exc:
            raise ValidationError({"valence": exc.messages}) from None
        try:
            compile_rule(
                name=self.name,
                pattern=self.pattern,
                is_regex=self.is_regex,
                valence=self.valence,
                kind=self.kind,
            )
        except ValidationError as exc:
            raise ValidationError({"pattern": exc.messages}) from None


class LabelCorrection(models.Model):
    """An analyst's "wrong sentiment": the label the comment should have had.

    Keeps the text and the score as they were, so `export_labels` can write the
    project's own evaluation set even after the comment is edited or rescored.
    """

    class Label(models.TextChoices):
        NEG = "neg", "Negative"
        NEU = "neu", "Neutral"
        POS = "pos", "Positive"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="corrections")
    label = models.CharField(max_length=3, choices=Label.choices)
    text = models.TextField(help_text="The cleaned text as it was scored.")
    compound = models.FloatField(null=True, blank=True)
    scorer_version = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["comment", "-created_at"], name="correction_comment")]

    def __str__(self) -> str:
        return f"{self.comment_id} -> {self.label}"


class ThreadReview(models.Model):
    """IT staff's follow-up on a thread: reviewed, or actioned, with a note (who and when)."""

    class Status(models.TextChoices):
        REVIEWED = "reviewed", "Reviewed"
        ACTIONED = "actioned", "Actioned"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["thread", "-created_at"], name="review_thread")]

    def __str__(self) -> str:
        return f"{self.thread_id} {self.status}"


class ThreadViewLog(models.Model):
    """Who read which thread, when: every view of a thread by an analyst is recorded."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept when the user is deleted.")
    with_identities = models.BooleanField(default=False)
    viewed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.username} viewed {self.thread_id}"


class Access(models.Model):
    """Holds the permissions that are about pages, not models (no table)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_overview", "Can see the weekly overview and aggregates"),
            ("use_explorer", "Can use the complaint explorer and read threads"),
            ("export_comments", "Can export filtered comments as CSV"),
        ]

    def __str__(self) -> str:
        return "page access"
