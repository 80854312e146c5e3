namespace Toolchain.Contracts.Tests;

public sealed class GraphDigestTests
{
    [Fact]
    public void The_model_digest_covers_the_graph_field_only()
    {
        // ModelProto: ir_version (1) = 8, graph (7) = bytes "GRAPH", metadata_props (14) = bytes "M".
        byte[] model = [0x08, 0x08, 0x3A, 0x05, .. "GRAPH"u8, 0x72, 0x01, (byte)'M'];
        byte[] otherMetadata = [0x08, 0x08, 0x3A, 0x05, .. "GRAPH"u8, 0x72, 0x01, (byte)'N'];
        byte[] otherGraph = [0x08, 0x08, 0x3A, 0x05, .. "GRAPh"u8, 0x72, 0x01, (byte)'M'];

        Assert.Equal(GraphDigest.Of("GRAPH"u8), GraphDigest.OfModel(model));
        Assert.Equal(GraphDigest.OfModel(model), GraphDigest.OfModel(otherMetadata));
        Assert.NotEqual(GraphDigest.OfModel(model), GraphDigest.OfModel(otherGraph));
        Assert.Null(GraphDigest.OfModel([0x08, 0x08]));
        Assert.Matches("^[0-9a-f]{64}$", GraphDigest.Of("GRAPH"u8));
    }
}
