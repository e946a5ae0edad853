// `sqlx::migrate!` embeds the migration files at compile time; without this, a migration
// added or edited after the last build would be missing from the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
