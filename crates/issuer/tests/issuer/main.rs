//! Integration tests of the issuer library and the `facelic` binary (one test binary).

mod cli;
mod desk;
mod keys;
mod vectors;
