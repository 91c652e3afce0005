# Julia: / is true division even between ints; ÷ and div truncate, fld floors;
# % and rem take the dividend's sign, mod the divisor's.
division(x) = 7 / 2 + 7 ÷ 2 + div(-7, 2) + fld(-7, 2) + -7 % 3 + rem(-7, 3) + mod(-7, 3) + x ÷ 2 + x % 3 + mod(x, 3)

# -x^2 is -(x^2); juxtaposition binds tighter than / and looser than ^
powers(x) = -x^2 + 2^3^2 + 2x^2 + 1/2x + 2^-1 + x^0.5

literals(x) = x * 1_000 + 0x10 + 0b101 + 0o17 + 1e-3 + 2.5f0 + 0x1p-2 + .5 + 1.

function augmented(x)
    y = x
    y += 1
    y -= 2
    y *= 3
    y /= 4
    y ^= 2
    y %= 5
    y
end
