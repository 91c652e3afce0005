module Layout

// Layout the F# formatter writes: a line that starts with an infix operator continues
// the one above; a line may end with an operator; if/then/else on lines of their own.

let booth (x: float) (y: float) =
    (x + 2.0 * y - 7.0) ** 2.0
    + (2.0 * x + y - 5.0) ** 2.0

let camel (x: float) (y: float) =
      (4.0 - 2.1 * x ** 2.0 + x ** 4.0 / 3.0) * x ** 2.0
    + x * y
    + (-4.0 + 4.0 * y ** 2.0) * y ** 2.0

let logCosh (x: float) =
    x
    |> cosh
    |> log

let inBand (x: float) =
    if x > -1.0
       && x < 1.0
    then 1.0 - x * x
    else 0.0

let ramp (x: float) =
    let y =
        2.0 * x +
        1.0
    if y < 0.0 then 0.0
    else if y < 1.0 then y
    else
        1.0
        + 0.1 * (y - 1.0)
