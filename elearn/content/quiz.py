"""The parsed form of a quiz, shared by the Markdown quiz syntax and Moodle GIFT.

Everything here is plain, frozen data: parsers build it, the publisher renders
its texts to sanitised HTML and stores it, the quiz engine scores against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from elearn.content.errors import SourceError


class TextFormat(StrEnum):
    """How a piece of author text is turned into HTML (Moodle's four formats)."""

    MARKDOWN = "markdown"
    HTML = "html"
    PLAIN = "plain"
    MOODLE = "moodle"  # Moodle's auto-format: HTML allowed, blank lines become paragraphs


class QuestionKind(StrEnum):
    SINGLE = "single"  # one correct choice (GIFT weighted answers may give partial credit)
    MULTIPLE = "multiple"  # several correct choices, partial credit
    TRUE_FALSE = "truefalse"
    SHORT = "short"  # typed answer compared case- and space-insensitively
    NUMERIC = "numeric"
    MATCHING = "matching"
    ESSAY = "essay"  # kept, never auto-scored


@dataclass(frozen=True)
class Text:
    """Author text in its source form; rendered and sanitised at publish time."""

    source: str
    format: TextFormat = TextFormat.MARKDOWN


EMPTY_TEXT = Text("")


@dataclass(frozen=True)
class Choice:
    """An option of a choice question; ``fraction`` is its credit, -1.0 to 1.0."""

    text: Text
    fraction: float
    feedback: Text = EMPTY_TEXT


@dataclass(frozen=True)
class ShortAnswer:
    text: str
    fraction: float = 1.0
    feedback: Text = EMPTY_TEXT


@dataclass(frozen=True)
class NumericAnswer:
    """Accepts ``value ± tolerance``; GIFT ranges ``a..b`` become their midpoint ± half."""

    value: float
    tolerance: float = 0.0
    fraction: float = 1.0
    feedback: Text = EMPTY_TEXT


@dataclass(frozen=True)
class MatchPair:
    prompt: Text
    answer: str


@dataclass(frozen=True)
class TrueFalseAnswer:
    correct: bool
    feedback_true: Text = EMPTY_TEXT  # shown when the learner answered "true"
    feedback_false: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Answers:
    """The answer fields of a question, filled for its ``kind`` only (parsers build it)."""

    kind: QuestionKind
    choices: tuple[Choice, ...] = ()
    short_answers: tuple[ShortAnswer, ...] = ()
    numeric_answers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    true_false: TrueFalseAnswer | None = None


@dataclass(frozen=True)
class Question:
    """One question of a quiz pool.

    ``key`` is stable across republishing while the question's source is
    unchanged (a short hash), so attempts and item analysis can refer to it.
    Only the fields for its ``kind`` are filled.
    """

    key: str
    kind: QuestionKind
    name: str
    text: Text
    line: int
    general_feedback: Text = EMPTY_TEXT
    choices: tuple[Choice, ...] = ()
    short_answers: tuple[ShortAnswer, ...] = ()
    numeric_answers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    true_false: TrueFalseAnswer | None = None
    category: str = ""
    tags: tuple[str, ...] = ()


class ReviewMoment(StrEnum):
    """When a part of a submitted attempt's review is shown (Moodle's review columns)."""

    IMMEDIATELY = "immediately"  # right after every attempt
    AFTER_PASSING = "after_passing"  # once the learner has passed the quiz
    AFTER_LAST_ATTEMPT = "after_last_attempt"  # once no attempt is left (max_attempts)


ANYTIME = (ReviewMoment.IMMEDIATELY,)
NEVER: tuple[ReviewMoment, ...] = ()


@dataclass(frozen=True)
class ReviewOptions:
    """What the review of a submitted attempt shows, and from when (like Moodle's).

    ``score``: the attempt's and each question's score; ``correctness``: right or
    wrong per question; ``feedback``: the author's feedback; ``answers``: the
    correct answers. The pass/fail verdict is always shown: it decides progress.
    """

    score: tuple[ReviewMoment, ...] = ANYTIME
    correctness: tuple[ReviewMoment, ...] = ANYTIME
    feedback: tuple[ReviewMoment, ...] = ANYTIME
    # The key only once a retry can no longer be copied from it.
    answers: tuple[ReviewMoment, ...] = (
        ReviewMoment.AFTER_PASSING,
        ReviewMoment.AFTER_LAST_ATTEMPT,
    )


# The named settings of ``review:`` in front matter. "standard" is the default;
# "full", "feedback" and "score" are the values quizzes used before review options.
REVIEW_PRESETS: dict[str, ReviewOptions] = {
    "standard": ReviewOptions(),
    "full": ReviewOptions(answers=ANYTIME),
    "feedback": ReviewOptions(answers=NEVER),
    "score": ReviewOptions(correctness=NEVER, feedback=NEVER, answers=NEVER),
}


class QuizRole(StrEnum):
    """What a quiz measures for the level-2 evaluation (``role:`` in its front matter)."""

    PRE_TEST = "pre_test"  # before learning; never counts towards completion
    POST_TEST = "post_test"  # after learning; the same competency as the pre-test


@dataclass(frozen=True)
class QuizSettings:
    """Options from a quiz file's front matter (defaults when absent)."""

    title: str
    pass_mark: int = 70  # percent
    max_attempts: int | None = None  # None: unlimited
    time_limit: int | None = None  # minutes; None: untimed
    draw: int | None = None  # questions drawn per attempt; None: the whole pool
    shuffle: bool = False
    required: bool = True  # must be passed to complete the course
    review: ReviewOptions = ReviewOptions()  # what the review after submission shows
    role: QuizRole | None = None  # None: an ordinary quiz


@dataclass(frozen=True)
class Quiz:
    settings: QuizSettings
    questions: tuple[Question, ...]
    intro: Text = EMPTY_TEXT
    source_path: str = ""
    # What the parser warned about (identical options, text swallowed into a question).
    warnings: tuple[SourceError, ...] = field(default=(), compare=False)
