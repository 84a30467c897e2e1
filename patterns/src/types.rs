//! Types that make invalid values impossible: `TYPE-n`.
