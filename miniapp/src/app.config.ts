export default defineAppConfig({
  pages: [
    'pages/search/index',
    'pages/customer/detail',
    'pages/login/index',
    'pages/visit/new',
    'pages/customer/create',
    'pages/reminders/index',
    'pages/approvals/index',
    'pages/approvals/detail',
    'pages/manager/index',
    'pages/manager/list',
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#1f6feb',
    navigationBarTitleText: '客户助手',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f6f8',
  },
  permission: {
    'scope.userLocation': { desc: '拜访签到时记录你所在的位置' },
  },
  requiredPrivateInfos: ['getLocation'],
});
