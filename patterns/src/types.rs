//! Types that make invalid values impossible: `TYPE-n`.

pub mod validated_newtype;
