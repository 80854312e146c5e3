using System.Globalization;

namespace Toolchain.Trainer.Models.Layers;

/// <summary>
/// The arguments of one layer token, read by the layer's parser: positional or named, each checked for range.
/// Every failure is a <see cref="SpecParseException"/> pointing at the token.
/// </summary>
internal sealed class LayerArgs
{
    private readonly string _text;
    private readonly List<string> _positional;
    private readonly Dictionary<string, string> _named;
    private readonly HashSet<int> _usedPositions = [];

    public LayerArgs(string text, int position, string token, string name, List<string> positional, Dictionary<string, string> named)
    {
        _text = text;
        Position = position;
        Token = token;
        Name = name;
        _positional = positional;
        _named = named;
    }

    /// <summary>Zero-based offset of the token in the spec.</summary>
    public int Position { get; }

    /// <summary>The token as written.</summary>
    public string Token { get; }

    /// <summary>The layer name as written, lower-cased (an alias such as <c>dense</c> stays as written).</summary>
    public string Name { get; }

    public int Int(int index, string key, int? dflt, int min, string? alias = null)
    {
        var raw = Take(index, key, alias);
        if (raw is null)
        {
            return dflt ?? throw Fail($"{Name} needs '{key}'");
        }
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > 100_000)
        {
            throw Fail($"'{key}' must be a whole number from {min}, not '{raw}'");
        }
        return v;
    }

    public double Double(int index, string key, double dflt, double min, double max)
    {
        var raw = Take(index, key, null);
        if (raw is null)
        {
            return dflt;
        }
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
        {
            throw Fail($"'{key}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{raw}'");
        }
        return v;
    }

    /// <summary>Throws when an argument was given that the layer did not read.</summary>
    public void EnsureAllUsed()
    {
        if (_named.Count > 0)
        {
            throw Fail($"{Name} has no argument '{_named.Keys.First()}'");
        }
        for (int i = 0; i < _positional.Count; i++)
        {
            if (!_usedPositions.Contains(i))
            {
                throw Fail($"{Name} takes at most {_usedPositions.Count} positional argument(s)");
            }
        }
    }

    public SpecParseException Fail(string problem) => new(_text, Position, Token, problem);

    private string? Take(int index, string key, string? alias)
    {
        string? fromName = null;
        if (_named.Remove(key, out var v) || (alias is not null && _named.Remove(alias, out v)))
        {
            fromName = v;
        }
        string? fromPos = index < _positional.Count ? _positional[index] : null;
        if (fromPos is not null)
        {
            _usedPositions.Add(index);
        }
        if (fromName is not null && fromPos is not null)
        {
            throw Fail($"'{key}' given twice");
        }
        return fromName ?? fromPos;
    }
}
