namespace Toolchain.Data;

/// <summary>Constants of the IDX file format used by MNIST and its relatives.</summary>
public static class IdxFormat
{
    /// <summary>Magic of an image file: unsigned bytes, three dimensions (count × rows × cols).</summary>
    public const uint ImagesMagic = 0x00000803;

    /// <summary>Magic of a label file: unsigned bytes, one dimension (count).</summary>
    public const uint LabelsMagic = 0x00000801;

    /// <summary>The element type code for unsigned bytes, the only type these datasets use.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>
    /// Deflate cannot compress better than about 1032:1, so a gzip file of n bytes never inflates to more than
    /// this many times n. Used to reject absurd headers before allocating.
    /// </summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>Whether <paramref name="head"/> starts with the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;
}
