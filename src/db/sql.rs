//! Small builder for queries whose filters vary, with `$n` placeholders that both
//! backends accept (sqlx's `QueryBuilder` would emit `?` through the `Any` driver).

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};

#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: Arg) -> &mut Sql {
        self.args.push(value);
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    pub fn text(&mut self, value: &str) -> &mut Sql {
        self.bind(Arg::Text(value.to_string()))
    }

    pub fn int(&mut self, value: i64) -> &mut Sql {
        self.bind(Arg::Int(value))
    }

    /// ` LIMIT n`, written into the text: PostgreSQL plans a bound LIMIT as 10 % of the rows,
    /// so a statement's generic plan looks dear and it is planned again at every execution
    /// (0.6 ms for a page of the board, four times its execution).
    pub fn limit(&mut self, n: i64) -> &mut Sql {
        self.push(&format!(" LIMIT {n}"))
    }

    /// `(a, b, c)` for an IN list; `(NULL)` when empty so the SQL stays valid and matches nothing.
    pub fn list(&mut self, values: &[String]) -> &mut Sql {
        if values.is_empty() {
            return self.push("(NULL)");
        }
        self.push("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.text(v);
        }
        self.push(")")
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }

    pub fn query_scalar<T>(&self) -> sqlx::query::QueryScalar<'_, Any, T, AnyArguments<'_>>
    where
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_scalar(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }

    pub fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}
