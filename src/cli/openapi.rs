//! `convo openapi`: print the spec generated from the handlers (no server, no database).

pub fn run(yaml: bool) {
    let service = crate::api::service();
    if yaml {
        print!("{}", service.spec_yaml());
    } else {
        println!("{}", service.spec());
    }
}
