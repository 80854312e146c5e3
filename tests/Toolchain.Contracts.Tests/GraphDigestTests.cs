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

    [Fact]
    public void Fixed_width_fields_are_skipped_and_a_repeated_graph_is_hashed_whole()
    {
        // field 9 fixed64, field 10 fixed32, then the graph twice: the digest is of both graphs' bytes in order.
        byte[] model = [0x49, 1, 2, 3, 4, 5, 6, 7, 8, 0x55, 1, 2, 3, 4, 0x3A, 0x02, .. "GR"u8, 0x3A, 0x03, .. "APH"u8];

        Assert.Equal(GraphDigest.Of("GRAPH"u8), GraphDigest.OfModel(model));
    }

    [Theory]
    [InlineData(new byte[] { 0x3A, 0x05, 0x47 })]
    [InlineData(new byte[] { 0x08, 0x80 })]
    [InlineData(new byte[] { 0x0B })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    [InlineData(new byte[] { 0x49, 1, 2 })]
    public void Bytes_that_are_not_protobuf_are_a_format_error(byte[] bytes)
    {
        Assert.Throws<FormatException>(() => GraphDigest.OfModel(bytes));
    }
}
