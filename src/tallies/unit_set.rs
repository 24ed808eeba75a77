//! Sets of units by their dense numbers: stored per counter cell as the sorted numbers'
//! gaps in LEB128 varints (a cell holds a few dozen units, a byte or two each), and
//! gathered for a report into a bitset over all unit numbers, where a union is setting
//! bits and a distinct count is counting them.

use crate::error::{ApiError, ApiResult};

/// The sorted, distinct unit numbers of a stored set.
pub fn decode(bytes: &[u8]) -> ApiResult<Vec<u32>> {
    let mut out = Vec::with_capacity(bytes.len());
    each(bytes, |n| out.push(n))?;
    Ok(out)
}

/// Calls `f` with every number of a stored set, in order, without allocating.
pub fn each(bytes: &[u8], mut f: impl FnMut(u32)) -> ApiResult<()> {
    let damaged = || ApiError::internal("a stored unit set is damaged", "bad varint");
    let (mut previous, mut value, mut shift) = (0u64, 0u64, 0u32);
    for &b in bytes {
        if shift > 28 {
            return Err(damaged());
        }
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            previous += value;
            f(u32::try_from(previous).map_err(|_| damaged())?);
            value = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    if shift != 0 {
        return Err(damaged());
    }
    Ok(())
}

/// The stored form of sorted, distinct numbers.
pub fn encode(sorted: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(sorted.len() * 2);
    let mut previous = 0u32;
    for &n in sorted {
        let mut gap = n - previous;
        previous = n;
        loop {
            let byte = (gap & 0x7f) as u8;
            gap >>= 7;
            if gap == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

/// Adds numbers to a stored set.
pub fn with(bytes: &[u8], more: &[u32]) -> ApiResult<Vec<u8>> {
    let mut all = decode(bytes)?;
    all.extend_from_slice(more);
    all.sort_unstable();
    all.dedup();
    Ok(encode(&all))
}

/// A set of unit numbers as bits: unions by setting, counts by counting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn insert(&mut self, n: u32) {
        let (word, bit) = ((n / 64) as usize, n % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    /// Adds every number of a stored set.
    pub fn add_stored(&mut self, bytes: &[u8]) -> ApiResult<()> {
        each(bytes, |n| self.insert(n))
    }

    pub fn union(&mut self, other: &Bits) {
        if other.0.len() > self.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    pub fn len(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_round_trips_through_its_stored_form() {
        let numbers = vec![1, 2, 3, 130, 70_000, 333_333, u32::MAX];
        let stored = encode(&numbers);
        assert_eq!(decode(&stored).unwrap(), numbers);
        assert!(stored.len() < numbers.len() * 4);
        assert_eq!(decode(&encode(&[])).unwrap(), Vec::<u32>::new());
    }

    #[test]
    fn adding_keeps_a_set_sorted_and_distinct() {
        let stored = with(&encode(&[5, 9]), &[9, 1, 7]).unwrap();
        assert_eq!(decode(&stored).unwrap(), vec![1, 5, 7, 9]);
    }

    #[test]
    fn a_damaged_set_is_refused() {
        assert!(decode(&[0x80]).is_err());
        assert!(decode(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
    }

    #[test]
    fn bits_count_a_union_once() {
        let mut a = Bits::default();
        a.add_stored(&encode(&[1, 64, 65])).unwrap();
        let mut b = Bits::default();
        b.add_stored(&encode(&[65, 1_000])).unwrap();
        a.union(&b);
        assert_eq!(a.len(), 4);
    }
}
