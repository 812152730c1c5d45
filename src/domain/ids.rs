//! Ids in request paths. Each parses once, before the handler runs; a value that is not a
//! UUID cannot name anything, so it answers what an unknown id answers (a 404 whose detail
//! is the parse message, see `error::to_detail`) and never reaches the database.

use std::{borrow::Cow, ops::Deref};

use poem_openapi::{
    registry::MetaSchemaRef,
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};
use uuid::Uuid;

/// `uuid_path_id!(Name, "Thing not found", trim)`: a UUID path id whose malformed values are
/// answered with that 404 detail; `trim` accepts surrounding whitespace.
macro_rules! uuid_path_id {
    ($(#[$doc:meta])* $ty:ident, $not_found:literal, $trim:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $ty(Uuid);

        impl $ty {
            pub const NOT_FOUND: &str = $not_found;

            pub fn get(self) -> Uuid {
                self.0
            }
        }

        impl Deref for $ty {
            type Target = Uuid;
            fn deref(&self) -> &Uuid {
                &self.0
            }
        }

        impl Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                Uuid::name()
            }

            fn schema_ref() -> MetaSchemaRef {
                Uuid::schema_ref()
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::once(self))
            }
        }

        impl ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                let value = if $trim { value.trim() } else { value };
                Uuid::parse_str(value)
                    .map(Self)
                    .map_err(|_| ParseError::custom(Self::NOT_FOUND))
            }
        }
    };
}

uuid_path_id!(
    /// An event of a space.
    EventId,
    "Event not found",
    false
);
uuid_path_id!(
    /// A thread of a space (its id is the id of the event that opened it).
    ThreadId,
    "Thread not found",
    false
);
uuid_path_id!(
    /// A decision of a space.
    DecisionId,
    "Decision not found",
    false
);
uuid_path_id!(
    /// An actor; surrounding whitespace is accepted, as it always has been for actor ids.
    ActorId,
    "Actor not found",
    true
);
uuid_path_id!(
    /// A tenant.
    TenantId,
    "Tenant not found",
    false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_ids_parse_once_or_are_not_found() {
        let id = Uuid::now_v7();
        assert_eq!(
            EventId::parse_from_parameter(&id.to_string())
                .unwrap()
                .get(),
            id
        );
        assert_eq!(
            ActorId::parse_from_parameter(&format!(" {id} "))
                .unwrap()
                .get(),
            id
        );
        assert!(EventId::parse_from_parameter(&format!(" {id}")).is_err());
        for bad in ["", "x", "ro\u{0}om", &format!("{id}x")] {
            let err = ThreadId::parse_from_parameter(bad).unwrap_err();
            assert!(
                err.message().ends_with(": Thread not found"),
                "{}",
                err.message()
            );
        }
    }
}
