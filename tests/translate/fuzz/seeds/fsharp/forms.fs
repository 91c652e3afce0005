[<Literal>]
let K = 2.0
let f (x: float) =
    let y = if x > 0.0 then x ** 2.0 else -x
    let z = let t = y * K in t - 1.0
    z + (x |> max 0.0) + exp -x
let g x = f x * 2.0
