//! One plain-words sentence for the compiler errors a learner meets most, shown above rustc's
//! own rendering. rustc's message stays the source of truth; this only says what it means.

/// A plain-words summary of an error code, when we have one.
pub fn error_code(code: &str) -> Option<&'static str> {
    Some(match code {
        "E0061" => "a function was called with the wrong number of arguments",
        "E0106" => {
            "a returned or stored reference needs a lifetime: say which input it borrows from"
        }
        "E0277" => {
            "a type lacks a trait the code needs (for example `Send`, `Display` or `?` on a value that is not a `Result`)"
        }
        "E0282" => "the compiler cannot work out a type: add a type annotation",
        "E0308" => "a value has a different type than the code expects there",
        "E0369" | "E0599" => {
            "the type has no such method or operator: check the type and its documentation"
        }
        "E0373" => {
            "a closure or thread borrows a local that may not live long enough: `move` it in"
        }
        "E0382" => "a value was used after it was moved somewhere else: borrow it or clone it",
        "E0384" => "a variable was assigned twice but is not `mut`",
        "E0412" | "E0425" | "E0433" => {
            "a name is not defined here: check the spelling and the `use` lines"
        }
        "E0432" => "an import (`use`) points at something that does not exist",
        "E0499" => "the same value is borrowed mutably twice at once",
        "E0502" => "a value is changed while it is still borrowed for reading",
        "E0505" => "a value is moved while it is still borrowed",
        "E0506" => "a value is assigned while it is still borrowed",
        "E0507" => "a value is moved out of a borrow: clone it, or take a reference",
        "E0515" => "a function returns a reference to a local value that dies when it returns",
        "E0596" => "something is changed through a reference that is not `&mut`",
        "E0597" => "a borrowed value does not live long enough",
        "E0716" => "a temporary value is dropped while something still borrows it",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_codes_are_explained_and_others_are_not() {
        assert!(error_code("E0382").unwrap().contains("moved"));
        assert!(error_code("E9999").is_none());
    }
}
