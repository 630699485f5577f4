// Renders one echarts option to an SVG string on the server (echarts' SSR),
// for the static preview tlx puts inside every chart's output.
// stdin: {"width": W, "height": H, "option": {...}}; stdout: the SVG.
const echarts = require('echarts');
let input = '';
process.stdin.on('data', d => { input += d; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const chart = echarts.init(null, null, {renderer: 'svg', ssr: true, width: req.width, height: req.height});
  chart.setOption(req.option);
  process.stdout.write(chart.renderToSVGString());
  chart.dispose();
});
