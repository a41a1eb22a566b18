"""The «учитель – учитель» plugin's matching criterion: the vectorised form equals the per-pair one."""

import math

import numpy as np

from nastavnik.banks.matching_service import MentorRow
from nastavnik.matching import MenteeIn
from plugins.teacher_teacher.plugin import CategoryCriterion


def test_score_matrix_equals_score_for_every_pair():
    criterion = CategoryCriterion()
    mentees = [MenteeIn(id=i, org_id=1, kind_code="teacher_teacher", category=c)
               for i, c in enumerate(["young_specialist", "newly_hired", "burnout", None])]
    mentors = [MentorRow(id=10 + i, org_id=1, kind_codes=frozenset({"teacher_teacher"}), capacity=1,
                         qualification_category=c) for i, c in enumerate(["highest", "first", "conformity", ""])]
    matrix = criterion.score_matrix(mentees, mentors)
    expected = np.array([[criterion.score(me, mr)[0] for mr in mentors] for me in mentees])
    assert matrix.shape == (4, 4)
    assert np.array_equal(np.isnan(matrix), np.isnan(expected))
    assert np.allclose(np.nan_to_num(matrix), np.nan_to_num(expected))
    assert matrix[0].tolist()[:3] == [1.0, 1.0, 0.0] and math.isnan(matrix[0][3])
    assert np.isnan(matrix[2]).all()  # not a young specialist: the criterion does not apply
