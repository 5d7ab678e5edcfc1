"""Operations (DESIGN §11): migrations, health and the circuit breaker, metrics, bounded
per-source gates and ``aquery``. The engine exposes them through ``OpsMixin``."""
