namespace Toolchain.Data;

/// <summary>
/// numpy's legacy <c>RandomState</c>: MT19937 seeded with <c>init_genrand</c>, 53-bit doubles and the polar
/// Box–Muller <c>gauss</c> that caches its second value. Reproduces <c>np.random.seed(s); np.random.standard_normal()</c>
/// draw for draw, which is what makes the notebook's data reproducible outside Python.
/// </summary>
public sealed class LegacyRandomState
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908b0dfU;
    private const uint UpperMask = 0x80000000U;
    private const uint LowerMask = 0x7fffffffU;

    private readonly uint[] _mt = new uint[N];
    private int _index;
    private bool _hasGauss;
    private double _gauss;

    /// <summary>Seeds the generator as <c>np.random.seed(seed)</c> does for an integer seed.</summary>
    public LegacyRandomState(uint seed)
    {
        _mt[0] = seed;
        for (var i = 1; i < N; i++)
        {
            _mt[i] = unchecked(1812433253U * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i);
        }
        _index = N;
    }

    /// <summary>The next raw 32-bit output (<c>genrand_int32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= N)
        {
            Twist();
        }
        var y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    /// <summary>A double in [0, 1) with 53 random bits (<c>random_sample</c>).</summary>
    public double NextDouble()
    {
        var a = NextUInt32() >> 5;
        var b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>A standard normal draw (<c>standard_normal</c>, legacy polar method).</summary>
    public double NextGaussian()
    {
        if (_hasGauss)
        {
            _hasGauss = false;
            return _gauss;
        }
        double x1, x2, r2;
        do
        {
            x1 = 2.0 * NextDouble() - 1.0;
            x2 = 2.0 * NextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        }
        while (r2 >= 1.0 || r2 == 0.0);
        var f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        _gauss = f * x1;
        _hasGauss = true;
        return f * x2;
    }

    private void Twist()
    {
        int kk;
        uint y;
        for (kk = 0; kk < N - M; kk++)
        {
            y = (_mt[kk] & UpperMask) | (_mt[kk + 1] & LowerMask);
            _mt[kk] = _mt[kk + M] ^ (y >> 1) ^ ((y & 1U) != 0 ? MatrixA : 0U);
        }
        for (; kk < N - 1; kk++)
        {
            y = (_mt[kk] & UpperMask) | (_mt[kk + 1] & LowerMask);
            _mt[kk] = _mt[kk + (M - N)] ^ (y >> 1) ^ ((y & 1U) != 0 ? MatrixA : 0U);
        }
        y = (_mt[N - 1] & UpperMask) | (_mt[0] & LowerMask);
        _mt[N - 1] = _mt[M - 1] ^ (y >> 1) ^ ((y & 1U) != 0 ? MatrixA : 0U);
        _index = 0;
    }
}
