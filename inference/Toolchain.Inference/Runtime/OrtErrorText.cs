namespace Toolchain.Inference.Runtime;

/// <summary>Condenses ONNX Runtime's multi-line error text to the one line a user needs.</summary>
public static class OrtErrorText
{
    /// <summary>The first non-empty line of the message, without ORT's "[ErrorCode:…]" prefix.</summary>
    public static string FirstLine(Exception e)
    {
        var text = e.Message;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("[ErrorCode:", StringComparison.Ordinal))
            {
                var close = line.IndexOf(']');
                if (close > 0)
                {
                    line = line[(close + 1)..].Trim();
                }
            }
            return line.Length > 300 ? line[..300] + "…" : line;
        }
        return e.GetType().Name;
    }
}
