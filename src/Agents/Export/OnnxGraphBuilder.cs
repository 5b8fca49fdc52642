using Onnx;

namespace DeepRL.Agents.Export;

/// <summary>
/// Builds an ONNX graph through ONNX's own protobuf schema (OnnxSharp's generated types): weights as initializers,
/// nodes in topological order, inputs and outputs with a dynamic batch dimension. Names are made unique here.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>
    /// Opset 15: new enough for everything emitted here, old enough for the runtimes game engines ship (Unity's
    /// Inference Engine reads opsets 7–15) and for Debian's onnx 1.12 checker.
    /// </summary>
    public const int Opset = 15;

    /// <summary>IR version 8 (ONNX 1.10+), the one ONNX 1.12 writes for opset 15.</summary>
    public const long IrVersion = 8;

    public const string Batch = "batch";

    private readonly GraphProto _graph = new() { Name = "deeprl_policy" };
    private int _next;

    public string Input(string name, TensorProto.Types.DataType type, params long[] dimsAfterBatch)
    {
        _graph.Input.Add(ValueInfo(name, type, dimsAfterBatch));
        return name;
    }

    /// <summary>Input with a fixed leading 1 (the LSTM state's layer dimension) before the batch.</summary>
    public string StateValue(string name, long hidden, bool output)
    {
        var info = new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() } },
        };
        info.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        info.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = Batch });
        info.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = hidden });
        (output ? _graph.Output : _graph.Input).Add(info);
        return name;
    }

    public void Output(string name, TensorProto.Types.DataType type, params long[] dimsAfterBatch) =>
        _graph.Output.Add(ValueInfo(name, type, dimsAfterBatch));

    public string Weights(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Scalar(string name, float value)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node; returns its outputs (named after <paramref name="outputs"/>, or fresh names).</summary>
    public string[] Node(string op, string[] inputs, string[]? outputs = null, int outputCount = 1, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Unique(op.ToLowerInvariant()) };
        node.Input.AddRange(inputs);
        var names = outputs ?? Enumerable.Range(0, outputCount).Select(_ => Unique(op.ToLowerInvariant() + "_out")).ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    public string Node1(string op, params string[] inputs) => Node(op, inputs)[0];

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public ModelProto Model(IReadOnlyDictionary<string, string> metadata, string producerVersion)
    {
        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "DeepRL", ProducerVersion = producerVersion, Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    public string Unique(string name) => $"{name}_{_next++}";

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] dimsAfterBatch)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = Batch });
        foreach (long d in dimsAfterBatch) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
