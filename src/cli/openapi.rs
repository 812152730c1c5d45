//! `convo openapi`: print the spec generated from the handlers (no server, no database).

pub fn run(yaml: bool) {
    if yaml {
        print!("{}", crate::api::spec::yaml());
    } else {
        println!("{}", crate::api::spec::json());
    }
}
