"""Score distribution and classical item analysis from counts per score, not from papers.

Both the rollups (``quiz_score_count``, ``question_score_count``) and a scan of
submitted attempts reduce to the same small tables: attempts per quiz and
score, and answered/correct per question and score. The analysis below works
on those, so its cost does not grow with the number of attempts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

# (quiz, score) → attempts; (quiz, question key, score) → (answered, correct)
ScoreCounts = dict[tuple[str, float], int]
QuestionCounts = dict[tuple[str, str, float], tuple[int, int]]
GROUP_SHARE = 0.27  # upper and lower groups: Kelley's 27 %


@dataclass(frozen=True)
class ItemStat:
    quiz: str
    key: str
    name: str
    answered: int
    difficulty: float  # share answering correctly, 0–1
    discrimination: float  # upper-group share minus lower-group share, −1–1

    @property
    def flagged(self) -> bool:
        """Worth a second look: almost nobody or everybody right, or weak discrimination."""
        return self.answered >= 5 and (
            self.difficulty < 0.2 or self.difficulty > 0.95 or self.discrimination < 0.2
        )


def score_bands(scores: ScoreCounts) -> list[int]:
    """Attempts per ten-point band (0–9, …, 90–100)."""
    bands = [0] * 10
    for (_, score), attempts in scores.items():
        bands[min(9, int(score // 10))] += attempts
    return bands


def _group_weights(per_score: list[tuple[float, int]], size: int) -> dict[float, int]:
    """Which share of the attempts at each score falls in the first ``size`` attempts, as
    integer weights over one common denominator (the shares themselves are fractions).

    Attempts tied on the boundary score are taken in equal part (a fraction),
    so the result does not depend on the order the database returns rows in. Exact:
    summed as floats, a discrimination of exactly 0.625 came out as 0.6249…
    or 0.6250…1 depending on the order of the terms, and rounded either way. Integers,
    not ``Fraction`` sums: those were a tenth of a dashboard's CPU (~90 questions).
    """
    shares: list[tuple[float, int, int]] = []
    left = size
    for score, attempts in per_score:
        if left <= 0:
            break
        taken = min(left, attempts)
        shares.append((score, taken, attempts))
        left -= taken
    denominator = math.lcm(*(attempts for _, taken, attempts in shares if taken < attempts))
    return {score: taken * denominator // attempts for score, taken, attempts in shares}


def item_stats(
    scores: ScoreCounts, questions: QuestionCounts, names: dict[tuple[str, str], str]
) -> list[ItemStat]:
    """Difficulty and upper/lower 27 % discrimination of every question, by quiz and difficulty."""
    by_quiz: defaultdict[str, list[tuple[float, int]]] = defaultdict(list)
    for (quiz, score), attempts in scores.items():
        if attempts > 0:
            by_quiz[quiz].append((score, attempts))
    per_question: defaultdict[tuple[str, str], dict[float, tuple[int, int]]] = defaultdict(dict)
    for (quiz, key, score), pair in questions.items():
        if pair[0] > 0:
            per_question[(quiz, key)][score] = pair
    lower: dict[str, dict[float, int]] = {}
    upper: dict[str, dict[float, int]] = {}
    for quiz, rows in by_quiz.items():
        rows.sort()
        size = max(1, round(sum(n for _, n in rows) * GROUP_SHARE))
        lower[quiz] = _group_weights(rows, size)
        upper[quiz] = _group_weights(rows[::-1], size)
    stats = []
    for (quiz, key), counts in per_question.items():
        answered = sum(a for a, _ in counts.values())
        correct = sum(c for _, c in counts.values())

        def share(
            weights: dict[float, int], counts: dict[float, tuple[int, int]] = counts
        ) -> Fraction:
            # Both sums are over the weights' common denominator, which cancels.
            seen = sum(counts[s][0] * w for s, w in weights.items() if s in counts)
            right = sum(counts[s][1] * w for s, w in weights.items() if s in counts)
            return Fraction(right, seen) if seen else Fraction()

        stats.append(
            ItemStat(
                quiz=quiz,
                key=key,
                name=names.get((quiz, key), key),
                answered=answered,
                difficulty=round(correct / answered, 2),
                discrimination=float(
                    round(share(upper.get(quiz, {})) - share(lower.get(quiz, {})), 2)
                ),
            )
        )
    return sorted(stats, key=lambda s: (s.quiz, s.difficulty, s.key))
