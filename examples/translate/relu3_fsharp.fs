module Relu3

/// relu3: cubic near zero, linear above one
let relu3 (x: float) : float =
    if x < 0.0 then 0.0
    elif x < 1.0 then x ** 3.0 / 3.0
    else x - 2.0 / 3.0
