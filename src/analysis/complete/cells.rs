//! The cells a fit learns from (by row and by column) and the cells it
//! predicts, in the canonical order: rows and columns sorted by label, cells
//! row-major. Every sum of the completion runs in this order, so a
//! reordered request sums the same numbers in the same order.

/// A fit's training cells in both orientations, with their z values.
#[derive(Debug, Clone)]
pub struct Train {
    pub n: usize,
    pub p: usize,
    row_ptr: Vec<usize>,
    row_col: Vec<u32>,
    row_z: Vec<f64>,
    col_ptr: Vec<usize>,
    col_row: Vec<u32>,
    col_z: Vec<f64>,
    /// The position in the column lists of each row-list entry.
    csc_pos: Vec<u32>,
}

impl Train {
    /// From cells (row, col, z) in row-major order.
    pub fn new(n: usize, p: usize, cells: impl Iterator<Item = (u32, u32, f64)>) -> Self {
        let mut row_ptr = vec![0usize; n + 1];
        let mut row_col = Vec::new();
        let mut row_z = Vec::new();
        let mut col_count = vec![0usize; p];
        for (i, j, z) in cells {
            row_ptr[i as usize + 1] += 1;
            row_col.push(j);
            row_z.push(z);
            col_count[j as usize] += 1;
        }
        for i in 0..n {
            row_ptr[i + 1] += row_ptr[i];
        }
        let mut col_ptr = vec![0usize; p + 1];
        for j in 0..p {
            col_ptr[j + 1] = col_ptr[j] + col_count[j];
        }
        let nnz = row_col.len();
        let mut next = col_ptr[..p].to_vec();
        let mut col_row = vec![0u32; nnz];
        let mut col_z = vec![0.0; nnz];
        let mut csc_pos = vec![0u32; nnz];
        // Rows ascending, so each column's list is sorted by row.
        for i in 0..n {
            for e in row_ptr[i]..row_ptr[i + 1] {
                let j = row_col[e] as usize;
                let at = next[j];
                next[j] += 1;
                col_row[at] = i as u32;
                col_z[at] = row_z[e];
                csc_pos[e] = at as u32;
            }
        }
        Self {
            n,
            p,
            row_ptr,
            row_col,
            row_z,
            col_ptr,
            col_row,
            col_z,
            csc_pos,
        }
    }

    pub fn nnz(&self) -> usize {
        self.row_col.len()
    }

    /// Row i's columns and z values, columns ascending.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.row_ptr[i]..self.row_ptr[i + 1];
        (&self.row_col[r.clone()], &self.row_z[r])
    }

    /// The range of row i's entries in row-list order.
    pub fn row_range(&self, i: usize) -> std::ops::Range<usize> {
        self.row_ptr[i]..self.row_ptr[i + 1]
    }

    /// Column j's rows and z values, rows ascending.
    pub fn col(&self, j: usize) -> (&[u32], &[f64]) {
        let r = self.col_ptr[j]..self.col_ptr[j + 1];
        (&self.col_row[r.clone()], &self.col_z[r])
    }

    pub fn col_range(&self, j: usize) -> std::ops::Range<usize> {
        self.col_ptr[j]..self.col_ptr[j + 1]
    }

    pub fn row_count(&self, i: usize) -> usize {
        self.row_ptr[i + 1] - self.row_ptr[i]
    }

    pub fn col_count(&self, j: usize) -> usize {
        self.col_ptr[j + 1] - self.col_ptr[j]
    }

    /// Values given in row-list order, rearranged into column-list order.
    pub fn to_col_order(&self, by_row: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; by_row.len()];
        for (e, &pos) in self.csc_pos.iter().enumerate() {
            out[pos as usize] = by_row[e];
        }
        out
    }
}

/// Cells to predict: row-major, with each row's range and a by-column index.
#[derive(Debug, Clone, Default)]
pub struct CellSet {
    pub cells: Vec<(u32, u32)>,
    row_ptr: Vec<usize>,
    /// Cell indices ordered by column, then row.
    by_col: Vec<u32>,
    col_ptr: Vec<usize>,
}

impl CellSet {
    /// From cells in row-major order.
    pub fn new(n: usize, p: usize, cells: Vec<(u32, u32)>) -> Self {
        let mut row_ptr = vec![0usize; n + 1];
        let mut col_ptr = vec![0usize; p + 1];
        for &(i, j) in &cells {
            row_ptr[i as usize + 1] += 1;
            col_ptr[j as usize + 1] += 1;
        }
        for i in 0..n {
            row_ptr[i + 1] += row_ptr[i];
        }
        for j in 0..p {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut next = col_ptr[..p].to_vec();
        let mut by_col = vec![0u32; cells.len()];
        for (c, &(_, j)) in cells.iter().enumerate() {
            by_col[next[j as usize]] = c as u32;
            next[j as usize] += 1;
        }
        Self {
            cells,
            row_ptr,
            by_col,
            col_ptr,
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub fn n_rows(&self) -> usize {
        self.row_ptr.len() - 1
    }

    /// The range (in cell indices) of row i's cells.
    pub fn row_range(&self, i: usize) -> std::ops::Range<usize> {
        self.row_ptr[i]..self.row_ptr[i + 1]
    }

    /// Column j's cell indices, rows ascending.
    pub fn col_cells(&self, j: usize) -> &[u32] {
        &self.by_col[self.col_ptr[j]..self.col_ptr[j + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_orientations_hold_the_same_cells_sorted() {
        let cells = [(0u32, 2u32, 1.0), (0, 0, 2.0), (1, 1, 3.0), (2, 0, 4.0)];
        let mut sorted = cells.to_vec();
        sorted.sort_by_key(|c| (c.0, c.1));
        let t = Train::new(3, 3, sorted.into_iter());
        assert_eq!(t.row(0), (&[0u32, 2][..], &[2.0, 1.0][..]));
        assert_eq!(t.col(0), (&[0u32, 2][..], &[2.0, 4.0][..]));
        assert_eq!(t.col_count(2), 1);
        let by_row: Vec<f64> = (0..t.nnz()).map(|e| e as f64).collect();
        // Entry 0 of row 0 is (0, 0), the first of column 0.
        assert_eq!(t.to_col_order(&by_row), vec![0.0, 3.0, 2.0, 1.0]);
        let set = CellSet::new(3, 3, vec![(0, 1), (0, 2), (2, 1)]);
        assert_eq!(set.row_range(0), 0..2);
        assert_eq!(set.col_cells(1), &[0, 2]);
    }
}
