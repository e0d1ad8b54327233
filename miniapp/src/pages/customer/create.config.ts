export default definePageConfig({ navigationBarTitleText: '新建客户' });
