//! Root package of the facelic workspace: owns `tests/` and `benches/`.
