from tests.permission import Case

CASES = {"home": Case()}
