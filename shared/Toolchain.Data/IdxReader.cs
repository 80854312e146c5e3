using System.Buffers.Binary;
using System.IO.Compression;
using Toolchain.Contracts;
using Toolchain.Imaging;

namespace Toolchain.Data;

/// <summary>
/// Reads IDX image and label files, gzip-compressed (detected by the 1f 8b magic) or raw, and validates everything
/// the header claims against what the file holds. Every problem is an <see cref="InvalidInputFileException"/>
/// naming the file and the one thing wrong with it.
/// </summary>
public static class IdxReader
{
    /// <summary>Reads an images file and its labels file as one split, checking that their counts agree.</summary>
    /// <param name="imagesPath">The <c>*-images-idx3-ubyte[.gz]</c> file.</param>
    /// <param name="labelsPath">The <c>*-labels-idx1-ubyte[.gz]</c> file.</param>
    /// <param name="classCount">Labels must lie in 0..classCount-1.</param>
    public static ImageSet ReadSplit(string imagesPath, string labelsPath, int classCount)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath, classCount);
        if (labels.Length != images.Count)
        {
            throw new InvalidInputFileException(labelsPath,
                $"holds {labels.Length} labels but {Path.GetFileName(imagesPath)} holds {images.Count} images");
        }
        return new ImageSet(images.Pixels, labels, images.Count, images.Rows, images.Cols);
    }

    /// <summary>Reads an IDX image file (magic 0x00000803: count × rows × cols unsigned bytes).</summary>
    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = Read(path, IdxFormat.ImagesMagic);
        return new IdxImages(data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads an IDX label file (magic 0x00000801) and checks every label is in 0..classCount-1.</summary>
    public static byte[] ReadLabels(string path, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var (_, labels) = Read(path, IdxFormat.LabelsMagic);
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new InvalidInputFileException(path,
                    $"label {labels[i]} at index {i} is outside the class range 0..{classCount - 1}");
            }
        }
        return labels;
    }

    private static (int[] Dims, byte[] Data) Read(string path, uint expectedMagic)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputFileException(path, "is a folder, not an IDX file");
        }
        if (!File.Exists(path))
        {
            throw new InvalidInputFileException(path, "file not found");
        }
        FileStream file;
        try
        {
            // Checked before opening: opening a named pipe blocks until something writes to it, and a device may
            // never end.
            if (FileKindProbe.NotRegularProblem(path) is { } notRegular)
            {
                throw new InvalidInputFileException(path, notRegular);
            }
            if (new FileInfo(path).Length == 0)
            {
                throw new InvalidInputFileException(path, "is empty");
            }
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, "cannot be opened for reading (check its permissions)", e);
        }
        using (file)
        {
            return ReadOpened(path, file, expectedMagic);
        }
    }

    private static (int[] Dims, byte[] Data) ReadOpened(string path, FileStream file, uint expectedMagic)
    {
        var fileLength = file.Length;
        Span<byte> head = stackalloc byte[2];
        var headRead = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        var gzip = IdxFormat.IsGzip(head[..headRead]);
        if (!gzip && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidInputFileException(path, "is named .gz but is not gzip-compressed (it does not start with 1f 8b)");
        }
        Stream content = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
        try
        {
            return ReadContent(path, content, expectedMagic, gzip, fileLength);
        }
        catch (InvalidDataException e) when (gzip)
        {
            // The inflater's own message ("unsupported compression method") misleads; a cut-short gzip file does not
            // throw at all in .NET but ends early, which the byte count check reports as truncated.
            throw new InvalidInputFileException(path,
                "is a corrupt gzip file (its data cannot be decoded or fails its CRC check; re-download or re-copy it)", e);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new InvalidInputFileException(path, "could not be read (I/O error)", e);
        }
        finally
        {
            if (gzip)
            {
                content.Dispose();
            }
        }
    }

    private static (int[] Dims, byte[] Data) ReadContent(string path, Stream content, uint expectedMagic, bool gzip, long fileLength)
    {
        Span<byte> word = stackalloc byte[4];
        if (content.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
        {
            throw new InvalidInputFileException(path, TruncatedEnd(gzip, "is too short to hold an IDX header"));
        }
        CheckMagic(path, BinaryPrimitives.ReadUInt32BigEndian(word), expectedMagic);
        var dimCount = word[3];
        var dims = new int[dimCount];
        long elements = 1;
        for (var i = 0; i < dimCount; i++)
        {
            if (content.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
            {
                throw new InvalidInputFileException(path, TruncatedEnd(gzip, "ends inside its header"));
            }
            var dim = BinaryPrimitives.ReadUInt32BigEndian(word);
            if (dim > int.MaxValue)
            {
                throw new InvalidInputFileException(path, $"has an impossible dimension {dim} in its header");
            }
            dims[i] = (int)dim;
            // Saturates instead of overflowing; anything past Array.MaxLength is rejected below anyway.
            elements = dim == 0 || elements == 0 ? 0 : elements > long.MaxValue / dim ? long.MaxValue : elements * dim;
        }
        if (elements == 0)
        {
            throw new InvalidInputFileException(path, $"has a zero dimension ({string.Join(" x ", dims)})");
        }
        var headerLength = 4L + 4L * dimCount;
        CheckPlausibleSize(path, elements, gzip, fileLength, headerLength, dims);

        // Raw files were already checked against their length; only gzip content can lie about its size.
        var (data, read) = ReadData(content, (int)elements, gzip ? 16 << 20 : (int)elements);
        if (read < elements)
        {
            throw new InvalidInputFileException(path, TruncatedEnd(gzip,
                $"is truncated: the header ({string.Join(" x ", dims)}) promises {elements} data bytes but the file holds {read}"));
        }
        var extra = CountRemaining(content);
        if (extra > 0)
        {
            throw new InvalidInputFileException(path,
                $"has {extra} unexpected bytes after the {data.Length} data bytes its header ({string.Join(" x ", dims)}) describes");
        }
        return (dims, data);
    }

    private static void CheckMagic(string path, uint magic, uint expectedMagic)
    {
        if (magic == expectedMagic)
        {
            return;
        }
        string Kind(uint m) => m == IdxFormat.ImagesMagic ? "images" : "labels";
        if (magic is IdxFormat.ImagesMagic or IdxFormat.LabelsMagic)
        {
            throw new InvalidInputFileException(path,
                $"holds {Kind(magic)} (magic 0x{magic:X8}) where {Kind(expectedMagic)} (magic 0x{expectedMagic:X8}) were expected");
        }
        var typeCode = (byte)(magic >> 8);
        if (magic >> 16 == 0 && typeCode is 0x09 or 0x0B or 0x0C or 0x0D or 0x0E)
        {
            throw new InvalidInputFileException(path,
                $"stores elements of type 0x{typeCode:X2}; only unsigned bytes (0x08) are supported");
        }
        throw new InvalidInputFileException(path,
            $"is not an IDX {Kind(expectedMagic)} file (magic 0x{magic:X8}, expected 0x{expectedMagic:X8})");
    }

    private static void CheckPlausibleSize(string path, long elements, bool gzip, long fileLength, long headerLength, int[] dims)
    {
        var shape = string.Join(" x ", dims);
        if (!gzip)
        {
            var available = fileLength - headerLength;
            if (available < elements)
            {
                throw new InvalidInputFileException(path,
                    $"is truncated: the header ({shape}) promises {elements} data bytes but the file holds {Math.Max(available, 0)}");
            }
            if (available > elements)
            {
                throw new InvalidInputFileException(path,
                    $"has {available - elements} unexpected bytes after the {elements} data bytes its header ({shape}) describes");
            }
            return;
        }
        if (elements > Array.MaxLength || elements > fileLength * IdxFormat.MaxDeflateRatio)
        {
            throw new InvalidInputFileException(path,
                $"has an implausible header ({shape}): {elements} data bytes cannot come from {fileLength} compressed bytes");
        }
    }

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes, growing the buffer only as data actually arrives, so a lying
    /// header in a small compressed file cannot make us allocate what the header claims.
    /// </summary>
    private static (byte[] Data, int Read) ReadData(Stream content, int length, int initialChunk)
    {
        var data = new byte[Math.Min(length, initialChunk)];
        var read = 0;
        while (true)
        {
            read += content.ReadAtLeast(data.AsSpan(read), data.Length - read, throwOnEndOfStream: false);
            if (read < data.Length || data.Length == length)
            {
                break;
            }
            Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
        }
        return (data, read);
    }

    private static long CountRemaining(Stream content)
    {
        var buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = content.Read(buffer)) > 0)
        {
            total += n;
        }
        return total;
    }

    private static string TruncatedEnd(bool gzip, string problem) =>
        gzip ? problem + " (the gzip data ends early: truncated download or copy?)" : problem;
}
