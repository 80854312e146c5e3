using System.Globalization;
using System.Text;
using Toolchain.Inference.AspNetCore;

namespace Toolchain.Inference.Service.Repository;

/// <summary>
/// What the service honours of a repository model's <c>config.pbtxt</c> (Triton's ModelConfig in protobuf text format):
/// <c>max_batch_size</c> (0, Triton's "no batching", turns batching off), <c>dynamic_batching.max_queue_delay_microseconds</c>
/// and the instance count (the sum of <c>instance_group</c> counts), as the model's batching options. Every other field
/// is read past and named in <see cref="Ignored"/>, so the log line says what the service did not take.
/// </summary>
internal sealed record TritonModelConfigFile(int? MaxBatchSize, int? MaxQueueDelayMicroseconds, int? Instances, IReadOnlyList<string> Ignored)
{
    /// <summary>The file Triton reads beside the version folders.</summary>
    public const string FileName = "config.pbtxt";

    /// <summary>The largest config.pbtxt read (Triton's own are a few kilobytes).</summary>
    private const int MaxBytes = 1024 * 1024;

    /// <summary>The configuration entries under <c>Models:{name}</c> this file stands for.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Entries(string section)
    {
        if (MaxBatchSize is 0)
        {
            yield return new($"{section}:Batching:Enabled", "false");
        }
        else if (MaxBatchSize is { } max)
        {
            yield return new($"{section}:Batching:MaxBatchSize", Num(max));
        }
        if (MaxQueueDelayMicroseconds is { } delay)
        {
            yield return new($"{section}:Batching:MaxQueueDelayMicroseconds", Num(delay));
        }
        if (Instances is { } instances)
        {
            yield return new($"{section}:Batching:Instances", Num(instances));
        }
    }

    /// <summary>One line for the log: what was honoured and what was not.</summary>
    public string Describe(string path)
    {
        var honoured = new List<string>();
        if (MaxBatchSize is { } max)
        {
            honoured.Add(max == 0 ? "max_batch_size 0 (batching off)" : $"max_batch_size {max}");
        }
        if (MaxQueueDelayMicroseconds is { } delay)
        {
            honoured.Add($"max_queue_delay_microseconds {delay}");
        }
        if (Instances is { } instances)
        {
            honoured.Add($"instance count {instances}");
        }
        return $"{path}: honoured {(honoured.Count == 0 ? "nothing" : string.Join(", ", honoured))}; "
            + $"ignored {(Ignored.Count == 0 ? "nothing" : string.Join(", ", Ignored))} (the service reads the rest from model.onnx)";
    }

    /// <summary>Reads <paramref name="path"/>; throws <see cref="FormatException"/> with one line for text it cannot read.</summary>
    public static TritonModelConfigFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        var bytes = new byte[Math.Min(stream.Length, MaxBytes + 1)];
        var length = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (length > MaxBytes)
        {
            throw new FormatException($"it is over {MaxBytes / 1024} KB; Triton's configurations are a few kilobytes");
        }
        var tokens = new Tokens(Encoding.UTF8.GetString(bytes, 0, length));
        int? maxBatch = null, delay = null, instances = null;
        var ignored = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in tokens.Fields(""))
        {
            switch (name)
            {
                case "max_batch_size":
                    maxBatch = Int(name, value, min: 0);
                    break;
                case "dynamic_batching.max_queue_delay_microseconds":
                    delay = Int(name, value, min: 0);
                    break;
                case "instance_group.count":
                    instances = (instances ?? 0) + Int(name, value, min: 1);
                    break;
                case "name" or "platform" or "backend":
                    // Who serves the model: the folder names it and this service serves it with ONNX Runtime.
                    break;
                default:
                    ignored.Add(name);
                    break;
            }
        }
        return new TritonModelConfigFile(maxBatch, delay, instances, [.. ignored]);
    }

    private static int Int(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new FormatException($"{name} must be a whole number of at least {min} (got '{ClientText.Echo(value)}')");

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The protobuf text format, as far as the fields go: each scalar as (dotted path, text), messages and lists of
    /// messages walked into. Comments (#) and separators (, ;) are skipped.
    /// </summary>
    private sealed class Tokens(string text)
    {
        private int _at;

        private const int MaxDepth = 32;

        private int _depth;

        /// <summary>The fields up to <paramref name="close"/> (the end of the text when null), in order.</summary>
        public List<(string Name, string Value)> Fields(string prefix, char? close = null)
        {
            var found = new List<(string, string)>();
            while (true)
            {
                var token = Next();
                if (token is null)
                {
                    return close is null ? found : throw new FormatException($"'{close}' is missing at the end");
                }
                if (close is not null && token == close.ToString())
                {
                    return found;
                }
                if (!IsName(token))
                {
                    throw new FormatException($"a field name was expected, not '{ClientText.Echo(token)}'");
                }
                var name = prefix + token;
                var next = Next() ?? throw new FormatException($"{name} has no value");
                if (next == ":")
                {
                    next = Next() ?? throw new FormatException($"{name} has no value");
                }
                Value(name, next, found);
            }
        }

        private void Value(string name, string token, List<(string, string)> found)
        {
            switch (token)
            {
                case "{" or "<":
                    if (++_depth > MaxDepth)
                    {
                        throw new FormatException($"{name} nests messages more than {MaxDepth} deep");
                    }
                    found.AddRange(Fields(name + ".", token == "{" ? '}' : '>'));
                    _depth--;
                    break;
                case "[":
                    if (++_depth > MaxDepth)
                    {
                        throw new FormatException($"{name} nests lists more than {MaxDepth} deep");
                    }
                    while (true)
                    {
                        var item = Next() ?? throw new FormatException($"{name}'s list has no ']'");
                        if (item == "]")
                        {
                            break;
                        }
                        Value(name, item, found);
                    }
                    _depth--;
                    break;
                case "}" or ">" or "]" or ":":
                    throw new FormatException($"{name} has no value before '{token}'");
                default:
                    found.Add((name, token.Trim('"', '\'')));
                    break;
            }
        }

        private static bool IsName(string token) => token.Length > 0 && (char.IsAsciiLetter(token[0]) || token[0] == '_');

        /// <summary>The next token: a name or number, a quoted string (quotes kept), or one of { } [ ] &lt; &gt; :.</summary>
        private string? Next()
        {
            while (_at < text.Length)
            {
                var c = text[_at];
                if (char.IsWhiteSpace(c) || c is ',' or ';')
                {
                    _at++;
                }
                else if (c == '#')
                {
                    while (_at < text.Length && text[_at] != '\n')
                    {
                        _at++;
                    }
                }
                else
                {
                    break;
                }
            }
            if (_at >= text.Length)
            {
                return null;
            }
            var start = _at;
            var first = text[_at];
            if (first is '{' or '}' or '[' or ']' or '<' or '>' or ':')
            {
                _at++;
                return first.ToString();
            }
            if (first is '"' or '\'')
            {
                _at++;
                while (_at < text.Length && text[_at] != first)
                {
                    _at += text[_at] == '\\' ? 2 : 1;
                }
                if (_at >= text.Length)
                {
                    throw new FormatException("a string has no closing quote");
                }
                _at++;
                return text[start.._at];
            }
            while (_at < text.Length && !char.IsWhiteSpace(text[_at]) && text[_at] is not ('{' or '}' or '[' or ']' or '<' or '>' or ':' or ',' or ';' or '#' or '"' or '\''))
            {
                _at++;
            }
            return text[start.._at];
        }
    }
}
