let bothBranches x =
    let y =
        if x > 0.0 then
            let t = x * 2.0
            t + 1.0
        else
            -x
    y + 1.0

let nested (x: float) =
    if x < -1.0 then -1.0
    elif x > 1.0 then
        let d = x - 1.0
        1.0 + d * d
    else x

let letIn x = let a = 1.0 / x in a / (1.0 + a)

let logic x y = if x > 0.0 && not (y > 0.0) || x = y then 1.0 else 0.0
