//! Schema names are derived by the server, never taken from input, and checked against a
//! strict character set so that quoting them is always safe.

use std::fmt;

/// A PostgreSQL schema name matching `^[a-z_][a-z0-9_]{0,62}$`, not starting with `pg_`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

/// Room left for a uniqueness suffix such as `_1234567`.
const MAX_SLUG_LEN: usize = 63 - "tenant_".len() - 8;

impl SchemaName {
    pub fn parse(name: &str) -> Option<SchemaName> {
        let mut chars = name.chars();
        let first_ok = matches!(chars.next(), Some('a'..='z' | '_'));
        let valid = first_ok
            && name.len() <= 63
            && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
            && !name.starts_with("pg_");
        valid.then(|| SchemaName(name.to_string()))
    }

    /// The shared schema of actors that belong to no tenant. It cannot collide with a tenant
    /// schema, which always starts with `tenant_`.
    pub fn default_tenant() -> SchemaName {
        SchemaName("convo_default".to_string())
    }

    /// `tenant_` + a slug of the tenant's name: lowercase ASCII letters and digits, every other
    /// run of characters folded into one `_`.
    pub fn base_for_tenant(name: &str) -> SchemaName {
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                slug.push(c);
            } else if !slug.ends_with('_') {
                slug.push('_');
            }
        }
        let mut slug = slug.trim_matches('_').to_string();
        slug.truncate(MAX_SLUG_LEN);
        let slug = slug.trim_end_matches('_');
        let slug = if slug.is_empty() { "unnamed" } else { slug };
        SchemaName(format!("tenant_{slug}"))
    }

    /// The `n`th alternative of a base name, for uniqueness: `tenant_acme_2`.
    pub fn with_suffix(&self, n: u32) -> SchemaName {
        SchemaName(format!("{}_{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier quoted for SQL. Safe because of the character set.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

impl fmt::Display for SchemaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            SchemaName::base_for_tenant("Acme Corp").as_str(),
            "tenant_acme_corp"
        );
        assert_eq!(
            SchemaName::base_for_tenant("\"; DROP SCHEMA public; --").as_str(),
            "tenant_drop_schema_public"
        );
        assert_eq!(
            SchemaName::base_for_tenant("!!!").as_str(),
            "tenant_unnamed"
        );
        assert_eq!(
            SchemaName::base_for_tenant("Café Crème").as_str(),
            "tenant_caf_cr_me"
        );
        let long = SchemaName::base_for_tenant(&"a".repeat(300));
        assert!(long.with_suffix(9_999_999).as_str().len() <= 63);
        assert!(SchemaName::parse(long.with_suffix(12).as_str()).is_some());
    }

    #[test]
    fn parse_rejects_unsafe_names() {
        for bad in [
            "",
            "Tenant",
            "a-b",
            "a\"b",
            "1abc",
            "pg_catalog",
            &"a".repeat(64),
        ] {
            assert!(SchemaName::parse(bad).is_none(), "{bad}");
        }
        assert!(SchemaName::parse("tenant_acme_2").is_some());
    }
}
