//! Schema migrations: the SQL files in `src/migrations/`, applied once each, in order.
//!
//! The program applies its own migrations when it starts, so a worker never runs against a
//! table it does not understand. Each migration runs in one transaction with its version
//! recorded in `schema_migrations`: it is applied whole or not at all. A tool such as sqlx's or
//! refinery's migrator does the same with more features; twenty lines we can read are enough
//! here.

use tokio_postgres::Client;

/// Every migration, by version, in the order it must run. A migration that has shipped is
/// never edited: a change to the schema is a new file with the next number.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("migrations/0001_jobs.sql")),
    (2, include_str!("migrations/0002_leases.sql")),
    (3, include_str!("migrations/0003_retries.sql")),
];

/// Any number that no other advisory lock in this database uses.
const MIGRATION_LOCK: i64 = 7_000_001;

/// Applies the migrations this database has not seen yet.
///
/// Several worker processes may start at the same moment: an advisory lock held until the
/// transaction ends lets one of them migrate while the others wait, then find nothing to do.
///
/// # Errors
///
/// The database's error when a migration fails; nothing of that migration is applied.
pub async fn migrate(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    let transaction = client.transaction().await?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    transaction
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    integer PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await?;
    for &(version, sql) in MIGRATIONS {
        let applied = transaction
            .query_opt(
                "SELECT 1 FROM schema_migrations WHERE version = $1",
                &[&version],
            )
            .await?;
        if applied.is_none() {
            transaction.batch_execute(sql).await?;
            transaction
                .execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&version],
                )
                .await?;
        }
    }
    transaction.commit().await
}
