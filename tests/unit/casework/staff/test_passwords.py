import pytest

from casework.staff import passwords


@pytest.mark.parametrize(
    "password,problem",
    [
        ("", "at least 12"),
        ("elevenchars", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "must not repeat"),
        ("abababababab", "must not repeat"),
        ("twelve chars", None),
        ("correct horse battery staple", None),
    ],
)
def test_password_rules(password, problem):
    result = passwords.password_problem(password)
    assert (result is None) if problem is None else (problem in result)


def test_hash_is_argon2id_and_verifies_only_the_right_password():
    hashed = passwords.hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "correct horse battery staple")
    assert not passwords.verify_password(hashed, "correct horse battery stapler")
    assert not passwords.verify_password(None, "anything")
    assert not passwords.verify_password("not a hash", "anything")
