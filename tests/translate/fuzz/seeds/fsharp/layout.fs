let f (x0: float) x1 =
    (1.5 - x0 + x0 * x1) ** 2.0
    + (2.25 - x0) ** 2.0
  - x1
   ** 2.0
    |> abs
let g (x: float) =
    let y =
        x *
        2.0
    if y > 0.0
    then y
    else if y < -1.0 then -y
    else
        y
        - 1.0
