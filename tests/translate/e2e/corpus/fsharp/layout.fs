module Layout

// Long expressions as the F# formatter lays them out: a line that starts with an
// infix operator continues the one above, at the block's column or left of it by
// the operator's width and a space; parentheses and if/then/else over lines.

let beale (x0: float) x1 =
    (1.5 - x0 + x0 * x1) ** 2.0
    + (2.25 - x0 + x0 * x1 ** 2.0) ** 2.0
    + (2.625 - x0 + x0 * x1 ** 3.0) ** 2.0

let rosenbrock (x: float) (y: float) =
      (1.0 - x) ** 2.0
    + 100.0 * (y - x * x) ** 2.0

let himmelblau (x: float) (y: float) =
    let a =
        x * x
        + y
        - 11.0
    let b = x + y * y
          - 7.0
    a * a
   ** 1.0
    + b ** 2.0

let smoothed (x: float) =
    x
    |> abs
    |> max 1e-3
    |> log

let polynomial (x: float) =
    let p =
        3.0 * x ** 3.0 -
        2.0 * x ** 2.0 +
        x
    p
    * (1.0
       + x)

let clipped (lo: float) (hi: float) (x: float) =
    if x < lo
    then lo
    elif x > hi
    then hi
    else x

let piecewise (x: float) =
    if x < -1.0 then -1.0
    else if x < 0.0 then x * x - 1.0
    else if x < 1.0 then
        let t = x - 1.0
        t * t * t
    else
        x
        - 1.0
