using Google.Protobuf;
using Toolchain.Contracts;
using Toolchain.Imaging;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// The top-level facts of an ONNX file (IR version, opsets, producer) read by walking the ModelProto's fields
/// without materialising the graph. It doubles as a structural check: ONNX Runtime's own parse errors are
/// multi-line and vague, so a file that is not a complete ModelProto is refused here with one precise line.
/// </summary>
internal sealed record OnnxFileHeader(long IrVersion, long Opset, string Producer)
{
    private const int IrVersionField = 1, ProducerNameField = 2, ProducerVersionField = 3, GraphField = 7, OpsetImportField = 8;

    /// <summary>Reads the header of <paramref name="path"/>; throws <see cref="InvalidInputFileException"/>.</summary>
    public static OnnxFileHeader Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputFileException(path, "is a directory, not an ONNX model file");
        }
        if (!File.Exists(path))
        {
            throw new InvalidInputFileException(path, "no such file");
        }
        try
        {
            // Checked before opening: opening a named pipe blocks until something writes to it, and ONNX Runtime reads
            // the file again after this header check, which a pipe cannot give it.
            if (FileKindProbe.NotRegularProblem(path) is { } notRegular)
            {
                throw new InvalidInputFileException(path, notRegular);
            }
            if (new FileInfo(path).Length == 0)
            {
                throw new InvalidInputFileException(path, "is empty (0 bytes), not an ONNX model");
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Parse(path, stream);
        }
        catch (IOException e)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    private static OnnxFileHeader Parse(string path, Stream stream)
    {
        long ir = -1, opset = -1;
        string producer = "", producerVersion = "";
        var hasGraph = false;
        try
        {
            var input = new CodedInputStream(stream, leaveOpen: true);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                var field = WireFormat.GetTagFieldNumber(tag);
                var wire = WireFormat.GetTagWireType(tag);
                switch (field)
                {
                    case IrVersionField when wire == WireFormat.WireType.Varint:
                        ir = input.ReadInt64();
                        break;
                    case ProducerNameField when wire == WireFormat.WireType.LengthDelimited:
                        producer = input.ReadString();
                        break;
                    case ProducerVersionField when wire == WireFormat.WireType.LengthDelimited:
                        producerVersion = input.ReadString();
                        break;
                    case GraphField when wire == WireFormat.WireType.LengthDelimited:
                        hasGraph = true;
                        input.SkipLastField();
                        break;
                    case OpsetImportField when wire == WireFormat.WireType.LengthDelimited:
                        var (domain, version) = ReadOpset(input.ReadBytes());
                        if (domain is "" or "ai.onnx")
                        {
                            opset = version;
                        }
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            var problem = e.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase)
                ? "is truncated or corrupt (the ONNX protobuf ends early)"
                : "is not an ONNX model (it does not parse as an ONNX protobuf)";
            throw new InvalidInputFileException(path, problem, e);
        }
        if (ir <= 0 || !hasGraph)
        {
            throw new InvalidInputFileException(path,
                $"is not an ONNX model (no {(ir <= 0 ? "IR version" : "graph")} in the protobuf)");
        }
        return new OnnxFileHeader(ir, opset, producerVersion.Length > 0 ? $"{producer} {producerVersion}" : producer);
    }

    private static (string Domain, long Version) ReadOpset(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        string domain = "";
        long version = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    domain = input.ReadString();
                    break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    version = input.ReadInt64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return (domain, version);
    }
}
