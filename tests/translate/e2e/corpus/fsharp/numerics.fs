module Numerics

open System

let log1pexp (x: float) =
    if x <= -37.0 then exp x
    elif x <= 18.0 then log (1.0 + exp x)
    elif x <= 33.3 then x + exp -x
    else x

let logAddExp (a: float) (b: float) =
    let m = max a b
    m + log (1.0 + exp (-(abs (a - b))))

let sinc (x: float) = if abs x < 1e-4 then 1.0 - x * x / 6.0 else Math.Sin x / x

// F#: / between ints truncates and % takes the dividend's sign
let frac (x: float) = x - truncate x + x % 2.0 + float (7 / 2) + float (-7 % 3)

[<Literal>]
let Half = 0.5

let scaled (x: float) = Half * x ** 2.0 + Math.PI

let forward (s: float) (t: float) (r: float) (q: float) =
    let carry = r - q
    s * exp (carry * t)

let nested (x: float) (y: float) =
    let z =
        if x > y then
            let d = x - y
            d * d
        else
            let d = y - x
            -d
    z + 1.0
