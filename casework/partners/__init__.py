"""The partner registry (partnerships policy 3.4, 7-9): agencies the service works with, their
level of partnership, keyworker, memorandum of understanding and its twice-yearly reviews,
information-sharing agreement, contacts and secure email address."""
