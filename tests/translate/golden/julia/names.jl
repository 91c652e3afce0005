# Names that are C++ keywords or knossos' own.
#= A block comment with */ and #include <cstdio> and a trailing backslash \
=#
function select(int, ks, std, new)
    double = int + ks * std
    auto = double > new ? double : new
    auto
end

double(x) = select(x, 1.0, 2.0, 3.0)
